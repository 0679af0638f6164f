// ISO 6346 container numbers, checked as the officer types (the same rules
// as drivers/validation/iso6346.py, which the box applies again).

const CATEGORIES = { U: 'freight container', J: 'detachable equipment', Z: 'trailer or chassis' };

/** A=10 upward, skipping multiples of 11. */
const VALUES = (() => {
  const values = {};
  let v = 10;
  for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (v % 11 === 0) v += 1;
    values[letter] = v;
    v += 1;
  }
  for (let d = 0; d <= 9; d += 1) values[String(d)] = d;
  return values;
})();

export function normalise(text) {
  return String(text || '').replace(/[\s-]+/g, '').toUpperCase();
}

/** The check digit of the first 10 characters (owner, category, serial). */
export function checkDigit(first10) {
  let sum = 0;
  for (let i = 0; i < 10; i += 1) sum += VALUES[first10[i]] * (2 ** i);
  return (sum % 11) % 10;
}

/**
 * What to tell the officer about a (partly) typed number.
 * Returns {state: 'empty'|'partial'|'invalid'|'valid', message, normalised}.
 * 'partial' is not an error while typing; on submit it is.
 */
export function checkContainer(text) {
  const n = normalise(text);
  const result = (state, message) => ({ state, message, normalised: n });
  if (!n) return result('empty', '');
  if (n.length > 11) return result('invalid', `Too long: ${n.length} characters, a container number has 11 (4 letters, 7 digits).`);
  const owner = n.slice(0, 3);
  if (!/^[A-Z]*$/.test(owner)) return result('invalid', 'Starts with 3 letters: the owner code.');
  if (n.length >= 4 && !(n[3] in CATEGORIES)) {
    return result('invalid', /[A-Z]/.test(n[3])
      ? `4th letter is ${n[3]}: must be U (container), J or Z.`
      : 'The 4th character must be a letter: U, J or Z.');
  }
  if (n.length > 4 && !/^[0-9]*$/.test(n.slice(4))) return result('invalid', 'After the 4 letters come 7 digits.');
  if (n.length < 11) {
    return result('partial', `${11 - n.length} more character${11 - n.length === 1 ? '' : 's'} (4 letters, 7 digits).`);
  }
  const expected = checkDigit(n.slice(0, 10));
  if (String(expected) !== n[10]) {
    return result('invalid', `Check digit does not match: ${n.slice(0, 10)} needs ${expected}, not ${n[10]}. Re-read the number on the box.`);
  }
  return result('valid', `Valid: owner ${owner}, ${CATEGORIES[n[3]]}, serial ${n.slice(4, 10)}, check digit ${n[10]}.`);
}

/** "CSQU3054383" → "CSQU 305438 3", as painted on the box. */
export function pretty(number) {
  const n = normalise(number);
  return n.length === 11 ? `${n.slice(0, 4)} ${n.slice(4, 10)} ${n.slice(10)}` : n;
}

/** Plates: 2–12 of A–Z 0–9 once spaces and dashes are gone. */
export function checkPlate(text) {
  const n = normalise(text);
  if (!n) return { state: 'empty', message: 'Enter the vehicle registration plate.', normalised: n };
  if (!/^[A-Z0-9]+$/.test(n)) return { state: 'invalid', message: 'Letters A–Z and digits only (spaces and dashes are fine).', normalised: n };
  if (n.length < 2 || n.length > 12) return { state: 'invalid', message: `A plate has 2 to 12 letters and digits; this has ${n.length}.`, normalised: n };
  return { state: 'valid', message: '', normalised: n };
}
