/**
 * The player's keys, page-wide: → next, ← back, Home restart, space play/pause. Keys typed into a field,
 * with a modifier, or already handled stay with their target; space keeps its own meaning on buttons,
 * links, summaries and listbox options.
 */
import type { Player, PlayerView } from '../../machines/player';

export function playerKey(event: KeyboardEvent, player: Player, view: PlayerView): void {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target as HTMLElement | null;
  const tag = target?.tagName ?? '';
  if (['INPUT', 'TEXTAREA', 'SELECT'].includes(tag) || target?.isContentEditable) return;
  if (event.key === 'ArrowRight') player.next();
  else if (event.key === 'ArrowLeft') player.back();
  else if (event.key === 'Home') player.restart();
  else if (
    event.key === ' ' &&
    !['BUTTON', 'A', 'SUMMARY'].includes(tag) &&
    target?.getAttribute('role') !== 'option'
  ) {
    if (view.playing) player.pause();
    else player.play();
  } else return;
  event.preventDefault();
}
