/**
 * The viewer's display preferences, kept in the browser (localStorage): the colour theme (`auto`
 * follows the system's `prefers-color-scheme`; the toggle cycles auto → dark → light) and °F for
 * temperatures (stored values stay °C; only the display converts).
 */
export type Theme = 'auto' | 'light' | 'dark';

export interface Prefs {
  theme: Theme;
  fahrenheit: boolean;
  /** Overlay series that share a unit in one chart. */
  overlay: boolean;
}

const KEY = 'sensorctl.prefs';

/** Read the preferences; anything unreadable is the default (auto, °C). */
export function loadPrefs(storage: Pick<Storage, 'getItem'> | undefined): Prefs {
  try {
    const v = JSON.parse(storage?.getItem(KEY) ?? '{}') as Partial<Prefs>;
    return { theme: v.theme === 'light' || v.theme === 'dark' ? v.theme : 'auto', fahrenheit: v.fahrenheit === true, overlay: v.overlay === true };
  } catch {
    return { theme: 'auto', fahrenheit: false, overlay: false };
  }
}

/** Save the preferences (a full or private-mode storage is ignored). */
export function savePrefs(storage: Pick<Storage, 'setItem'> | undefined, prefs: Prefs): void {
  try {
    storage?.setItem(KEY, JSON.stringify(prefs));
  } catch {
    /* not persisted */
  }
}

/** The next theme of the toggle. */
export const nextTheme = (t: Theme): Theme => (t === 'auto' ? 'dark' : t === 'dark' ? 'light' : 'auto');
