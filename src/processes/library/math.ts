/** Arithmetic and other element-wise math processes. */
import { defineProcess } from '../define';
import { zipNumeric, mapNumeric } from '../lift';
import { ProcessException } from '../../errors/ProcessException';
import { isPixelVector } from '../values';
import { binaryMath, constantNumber, unaryMath } from './helpers';

/** Rounds half to even at `p` decimals, which is what IEEE 754 and openEO call rounding. */
export function roundHalfEven(x: number, p: number): number {
  if (!Number.isFinite(x)) return x;
  const factor = Math.pow(10, Math.abs(p));
  const scaled = p >= 0 ? x * factor : x / factor;
  // Undo tiny binary representation errors (e.g. 1.005 * 100 = 100.49999...) before deciding.
  const cleaned = Number(scaled.toPrecision(15));
  const floor = Math.floor(cleaned);
  const diff = cleaned - floor;
  let rounded: number;
  if (diff > 0.5) rounded = floor + 1;
  else if (diff < 0.5) rounded = floor;
  else rounded = floor % 2 === 0 ? floor : floor + 1;
  const result = p >= 0 ? rounded / factor : rounded * factor;
  return result === 0 ? 0 : result;
}

/** Remainder with the sign of the divisor (floored division). */
function flooredMod(x: number, y: number): number {
  // An infinite divisor leaves a finite dividend unchanged.
  if (Number.isFinite(x) && !Number.isFinite(y) && y === y) return x;
  let r = x % y;
  if (r !== 0 && r < 0 !== y < 0) r += y;
  return r;
}

export const mathProcesses = [
  binaryMath('add', { summary: 'Sum of two numbers', description: 'Adds `y` to `x`. No-data in either operand gives no-data.', returns: 'The sum, or null.' }, (a, b) => a + b, ['x', 'y'], '+'),
  binaryMath('subtract', { summary: 'Difference of two numbers', description: 'Subtracts `y` from `x`. No-data in either operand gives no-data.', returns: 'The difference, or null.' }, (a, b) => a - b, ['x', 'y'], '-'),
  binaryMath('multiply', {
      summary: 'Product of two numbers',
      description: 'Multiplies `x` by `y`. No-data in either operand gives no-data.',
      returns: 'The product, or null.',
      exceptions: { MultiplicandMissing: 'Both factors are needed for a product.' },
    },
    (a, b) => a * b,
    ['x', 'y'],
    '*',
  ),
  binaryMath(
    'divide',
    { summary: 'Quotient of two numbers', description: 'Divides `x` by `y` following IEEE 754, so division by zero yields an infinity or NaN. No-data in either operand gives no-data.', parameters: { x: 'The dividend.', y: 'The divisor.' }, returns: 'The quotient, or null.', exceptions: { DivisionByZero: 'The divisor is zero.' } },
    (a, b) => a / b,
    ['x', 'y'],
    '/',
  ),
  defineProcess(
    'mod',
    {
      summary: 'Remainder of a division',
      description: 'The remainder of `x` divided by `y`, with the sign of the divisor (floored division).',
      parameters: { x: 'The dividend.', y: 'The divisor; zero is an error.' },
      returns: 'The remainder, or null.',
      exceptions: { DivisionByZero: 'Cannot compute a remainder: the divisor is zero.' },
    },
    (args) => {
      const divideByZero = () => new ProcessException('DivisionByZero', 'Cannot compute a remainder: the divisor is zero.');
      if (!isPixelVector(args.x) && !isPixelVector(args.y) && args.y === 0 && args.x !== null) throw divideByZero();
      return zipNumeric(args.x, args.y, (a, b) => (b === 0 ? NaN : flooredMod(a, b)));
    },
  ),
  unaryMath('absolute', { summary: 'Absolute value', description: 'The magnitude of `x` without its sign.', returns: 'The absolute value, or null.' }, Math.abs),
  unaryMath('sgn', { summary: 'Sign', description: 'Returns -1, 0 or 1 depending on the sign of `x`.', returns: 'The sign, or null.' }, Math.sign),
  unaryMath('sqrt', { summary: 'Square root', description: 'The non-negative square root of `x`; NaN for negative numbers.', returns: 'The square root, or null.' }, Math.sqrt),
  unaryMath('exp', { summary: "Euler's number raised to a power", description: 'Computes e to the power of `x`.', parameters: { p: 'The exponent.' }, returns: 'The power of e, or null.' }, Math.exp),
  unaryMath('ln', { summary: 'Natural logarithm', description: 'The logarithm of `x` to base e. Zero gives negative infinity, negative numbers NaN.', returns: 'The natural logarithm, or null.' }, Math.log),
  binaryMath(
    'log',
    { summary: 'Logarithm to a base', description: 'The logarithm of `x` to the given base.', parameters: { x: 'The number to take the logarithm of.', base: 'The base of the logarithm.' }, returns: 'The logarithm, or null.' },
    (x, base) => Math.log(x) / Math.log(base),
    ['x', 'base'],
  ),
  binaryMath(
    'power',
    { summary: 'Exponentiation', description: 'Raises `base` to the power `p`.', parameters: { base: 'The base.', p: 'The exponent.' }, returns: 'The power, or null.' },
    Math.pow,
    ['base', 'p'],
  ),
  unaryMath('ceil', { summary: 'Round up', description: 'The smallest integer not less than `x`.', returns: 'The rounded number, or null.' }, (x) => Math.ceil(x) + 0),
  unaryMath('floor', { summary: 'Round down', description: 'The largest integer not greater than `x`.', returns: 'The rounded number, or null.' }, (x) => Math.floor(x) + 0),
  unaryMath('int', { summary: 'Integer part', description: 'Drops the fractional part of `x`, rounding towards zero.', returns: 'The integer part, or null.' }, (x) => Math.trunc(x) + 0),
  defineProcess(
    'round',
    {
      summary: 'Round to a precision',
      description: 'Rounds `x` to `p` decimal places (negative `p` rounds to tens, hundreds, ...). Ties go to the even neighbour.',
      parameters: { p: 'Number of decimal places; negative values round left of the decimal point.' },
      returns: 'The rounded number, or null.',
    },
    (args) => mapNumeric(args.x, (x) => roundHalfEven(x, args.p as number)),
  ),
  defineProcess(
    'clip',
    {
      summary: 'Limit values to a range',
      description: 'Values below `min` become `min`, values above `max` become `max`; no-data stays no-data.',
      parameters: { min: 'Lower bound.', max: 'Upper bound.' },
      returns: 'The clipped value, or null.',
      exceptions: { MinMaxSwapped: 'The lower bound `min` is greater than the upper bound `max`.' },
    },
    (args) => {
      if ((args.min as number) > (args.max as number)) {
        throw new ProcessException('MinMaxSwapped', 'The lower bound `min` is greater than the upper bound `max`.');
      }
      return mapNumeric(args.x, (x) => Math.min(Math.max(x, args.min as number), args.max as number));
    },
  ),
  defineProcess(
    'linear_scale_range',
    {
      summary: 'Linear rescaling',
      description: 'Maps `x` linearly from the input range onto the output range; values outside the input range are clipped to it first.',
      parameters: {
        inputMin: 'Lower end of the input range.',
        inputMax: 'Upper end of the input range.',
        outputMin: 'Value that `inputMin` maps to.',
        outputMax: 'Value that `inputMax` maps to.',
      },
      returns: 'The rescaled value, or null.',
    },
    (args) => {
      const { inputMin, inputMax, outputMin, outputMax } = args as Record<string, number>;
      const lo = Math.min(inputMin, inputMax);
      const hi = Math.max(inputMin, inputMax);
      return mapNumeric(args.x, (x) => {
        const clipped = Math.min(Math.max(x, lo), hi);
        return ((clipped - inputMin) / (inputMax - inputMin)) * (outputMax - outputMin) + outputMin;
      });
    },
  ),
  binaryMath(
    'normalized_difference',
    { summary: 'Normalized difference', description: 'Computes (x - y) / (x + y), e.g. NDVI from near-infrared and red.', returns: 'The normalized difference, or null.' },
    (a, b) => (a - b) / (a + b),
  ),
  defineProcess(
    'constant',
    { summary: 'A constant value', description: 'Returns its argument unchanged; useful to name a value once and reuse it.', parameters: { x: 'The value to return.' }, returns: 'The value of `x`.' },
    (args) => args.x,
  ),
  constantNumber('e', { summary: "Euler's number", description: 'The mathematical constant e (about 2.718).', returns: 'The value of e.' }, Math.E),
  constantNumber('pi', { summary: 'Pi', description: 'The ratio of a circle\'s circumference to its diameter (about 3.14159).', returns: 'The value of pi.' }, Math.PI),
  constantNumber('nan', { summary: 'Not a number', description: 'Returns the IEEE 754 value NaN.', returns: 'NaN.' }, NaN),
];
