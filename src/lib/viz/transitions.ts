/**
 * Intro transitions for the rows of a sequence diagram that read nothing from the page. Svelte's own
 * fly, fade and draw ask for the element's computed style (draw also for its length) as each one
 * starts, which makes the browser work out style and layout in the middle of a step, once for every new
 * row: at 16x with many rows that was most of the longest task. These take what they need from the
 * row's data instead; the elements they animate have no opacity or transform of their own.
 */
import type { EasingFunction, TransitionConfig } from 'svelte/transition';

/** A straight line drawn from its start to its end (its length from its two points). */
export function drawLine(
  _node: SVGPathElement,
  {
    from,
    to,
    duration,
    easing,
  }: { from: [number, number]; to: [number, number]; duration: number; easing?: EasingFunction },
): TransitionConfig {
  const length = Math.hypot(to[0] - from[0], to[1] - from[1]);
  return {
    duration,
    ...(easing ? { easing } : {}),
    css: (_t, u) => `stroke-dasharray: ${length}; stroke-dashoffset: ${u * length}`,
  };
}

/** Fades in while moving `y` pixels into place. */
export function riseIn(_node: Element, { y, duration }: { y: number; duration: number }): TransitionConfig {
  return { duration, css: (t, u) => `transform: translateY(${u * y}px); opacity: ${t}` };
}

/** Fades in. */
export function fadeIn(_node: Element, { duration }: { duration: number }): TransitionConfig {
  return { duration, css: (t) => `opacity: ${t}` };
}
