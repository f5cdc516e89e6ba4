/**
 * Light and dark themes. Without a stored choice the theme follows prefers-color-scheme; the toggle's
 * choice is stored. The resolved theme is always written to <html data-theme> for the CSS.
 */
export type Theme = 'light' | 'dark';

const KEY = 'wirescope.theme';

export function storedTheme(): Theme | undefined {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function systemTheme(): Theme {
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

export function storeTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}
