import { mount } from 'svelte';
import App from './App.svelte';
import { applyTheme, storedTheme, systemTheme } from './lib/ui/shell/theme';
import './app.css';

// Set the theme before the first paint so a stored dark theme does not flash light.
applyTheme(storedTheme() ?? systemTheme());

const target = document.getElementById('app');
if (!target) throw new Error('wirescope: #app element missing from index.html');
export default mount(App, { target });
