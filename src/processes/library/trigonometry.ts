/** Trigonometric and hyperbolic functions, all element-wise on `x` (radians). */
import type { ProcessText } from '../define';
import { binaryMath, unaryMath } from './helpers';

function text(summary: string, description: string): ProcessText {
  return { summary, description, parameters: { x: 'The input value.' }, returns: 'The computed value, or null.' };
}

export const trigonometryProcesses = [
  unaryMath('sin', text('Sine', 'The sine of the angle `x` in radians.'), Math.sin),
  unaryMath('cos', text('Cosine', 'The cosine of the angle `x` in radians.'), Math.cos),
  unaryMath('tan', text('Tangent', 'The tangent of the angle `x` in radians.'), Math.tan),
  unaryMath('arcsin', text('Inverse sine', 'The angle in radians whose sine is `x`.'), Math.asin),
  unaryMath('arccos', text('Inverse cosine', 'The angle in radians whose cosine is `x`.'), Math.acos),
  unaryMath('arctan', text('Inverse tangent', 'The angle in radians whose tangent is `x`.'), Math.atan),
  unaryMath('sinh', text('Hyperbolic sine', 'The hyperbolic sine of `x`.'), Math.sinh),
  unaryMath('cosh', text('Hyperbolic cosine', 'The hyperbolic cosine of `x`.'), Math.cosh),
  unaryMath('tanh', text('Hyperbolic tangent', 'The hyperbolic tangent of `x`.'), Math.tanh),
  unaryMath('arsinh', text('Inverse hyperbolic sine', 'The value whose hyperbolic sine is `x`.'), Math.asinh),
  unaryMath('arcosh', text('Inverse hyperbolic cosine', 'The value whose hyperbolic cosine is `x`.'), Math.acosh),
  unaryMath('artanh', text('Inverse hyperbolic tangent', 'The value whose hyperbolic tangent is `x`.'), Math.atanh),
  binaryMath(
    'arctan2',
    {
      summary: 'Angle of a point',
      description: 'The angle in radians between the positive x axis and the point (x, y), taking the quadrant into account.',
      parameters: { y: 'The y coordinate.', x: 'The x coordinate.' },
      returns: 'The angle, or null.',
    },
    Math.atan2,
    ['y', 'x'],
  ),
];
