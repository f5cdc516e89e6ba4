export { LANGS, LANG_NAMES, isLang, type Lang } from './lang';
export { SHELL, type UiStrings } from './shell';
export { PLAYER, type PlayerStrings } from './player';
export { LAB, type LabStrings } from './lab';
export { INSPECT, type InspectStrings } from './inspect';
export { ATTACKER, type AttackerStrings } from './attacker';
