import { takeSpecProblems } from './specCheck';

/** Fails a test whose requests got responses that openapi.yaml does not allow (see specCheck.ts). */
afterEach(() => {
  const problems = takeSpecProblems();
  if (problems.length > 0) throw new Error(`Responses that do not match the API document:\n  ${problems.join('\n  ')}`);
});
