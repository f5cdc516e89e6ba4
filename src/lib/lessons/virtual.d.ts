/**
 * Modules generated from lessons/ by vitePlugin.ts. Typed loosely here (an ambient module cannot import
 * relative types); content.ts gives them their real types.
 */
declare module 'virtual:wirescope-lessons' {
  export const lessons: readonly unknown[];
  export function loadLesson(slug: string): Promise<unknown>;
}
