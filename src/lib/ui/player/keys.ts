/**
 * The player's keys, page-wide: → next, ← back, Home restart, space play/pause. Keys typed into a field,
 * with a modifier, or already handled stay with their target; space keeps its own meaning on buttons,
 * links, summaries and listbox options.
 */
import type { Player, PlayerView } from '../../machines/player';

/** A key the page may take as a shortcut: not handled yet, no modifier, not typed into a field. */
export function isShortcutKey(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return false;
  const target = event.target as HTMLElement | null;
  return !['INPUT', 'TEXTAREA', 'SELECT'].includes(target?.tagName ?? '') && !target?.isContentEditable;
}

export function playerKey(event: KeyboardEvent, player: Player, view: PlayerView): void {
  if (!isShortcutKey(event)) return;
  const target = event.target as HTMLElement | null;
  const tag = target?.tagName ?? '';
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
