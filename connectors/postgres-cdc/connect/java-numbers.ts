/**
 * Java's `Double.toString` / `Float.toString` text forms, which Jackson writes for Connect float64/float32 values.
 * Both print the shortest digits that round-trip, switching to `d.dddE±n` outside [1e-3, 1e7).
 */
export function javaDoubleToString(value: number): string {
  return formatJava(value, shortestDigits(value, (x) => x));
}

export function javaFloatToString(value: number): string {
  return formatJava(Math.fround(value), shortestDigits(Math.fround(value), Math.fround));
}

function shortestDigits(value: number, round: (x: number) => number): string {
  if (round === Math.fround) {
    for (let p = 1; p <= 9; p++) {
      const s = value.toPrecision(p);
      if (Math.fround(Number(s)) === value) return Number(s).toExponential();
    }
  }
  return value.toExponential();
}

function formatJava(value: number, exponential: string): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const negative = value < 0;
  const [mantissa, expText] = exponential.replace(/^-/, '').split('e') as [string, string];
  const exp = Number(expText);
  const digits = mantissa.replace('.', '');
  let out: string;
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      out = `${intPart}.${frac === '' ? '0' : frac}`;
    } else {
      out = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
  } else {
    const frac = digits.slice(1);
    out = `${digits[0]}.${frac === '' ? '0' : frac}E${exp}`;
  }
  return negative ? `-${out}` : out;
}
