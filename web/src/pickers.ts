/**
 * The window and detail pickers (native radio groups: Tab to enter, arrow keys to choose) built from
 * the shared matrix, and the device picker (a labelled select, shown only for several devices).
 */
import { GRANULARITIES, WINDOWS, WINDOW_NAMES, type Granularity, type Window } from '../../builder/constants.js';
import { h } from './dom.js';

function radioGroup<T extends string | number>(
  fieldset: HTMLFieldSetElement, name: string, legend: string,
  options: ReadonlyArray<{ value: T; short: string; title: string }>, onPick: (v: T) => void,
): (v: T) => void {
  fieldset.replaceChildren(h('legend', {}, legend));
  const inputs = options.map((o) => {
    const input = h('input', { type: 'radio', name, value: String(o.value), id: `${name}-${o.value}` });
    input.addEventListener('change', () => { if (input.checked) onPick(o.value); });
    fieldset.append(h('label', { for: input.id, title: o.title }, input, h('span', {}, o.short)));
    return { input, value: o.value };
  });
  return (v) => { for (const i of inputs) i.input.checked = i.value === v; };
}

/** Fill `fieldset` with one radio per window; returns a setter for the checked value. */
export function windowPicker(fieldset: HTMLFieldSetElement, onPick: (w: Window) => void): (w: Window) => void {
  return radioGroup(fieldset, 'window', 'Window', WINDOW_NAMES.map((w) => ({ value: w, short: w, title: WINDOWS[w].label })), onPick);
}

/** Fill `fieldset` with one radio per granularity ("100 points"); returns a setter. */
export function samplesPicker(fieldset: HTMLFieldSetElement, onPick: (g: Granularity) => void): (g: Granularity) => void {
  return radioGroup(fieldset, 'samples', 'Detail (points)', GRANULARITIES.map((g) => ({ value: g, short: String(g), title: `${g} points per chart` })), onPick);
}

/** The device picker's setters: the device shown, and the devices offered (from config.json and `GET /samples/devices`). */
export interface DevicePicker {
  set(device: string | undefined): void;
  /** Offer `devices`; `defaultDevice` is selected while the view names none. Hidden with fewer than two. */
  offer(devices: readonly string[], defaultDevice?: string): void;
}

/** Fill `select` with `devices`; `wrapper` is hidden when there are fewer than two. */
export function devicePicker(
  wrapper: HTMLElement, select: HTMLSelectElement, devices: readonly string[], onPick: (d: string) => void,
): DevicePicker {
  let shown: string | undefined;
  let fallback: string | undefined;
  select.addEventListener('change', () => onPick(select.value));
  const set = (d: string | undefined): void => {
    shown = d;
    const value = d ?? fallback;
    if (value !== undefined) select.value = value;
  };
  const offer = (list: readonly string[], defaultDevice?: string): void => {
    fallback = defaultDevice;
    wrapper.hidden = list.length < 2;
    select.replaceChildren(...list.map((d) => h('option', { value: d }, d)));
    set(shown);
  };
  offer(devices);
  return { set, offer };
}
