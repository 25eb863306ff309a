// Types of check-node.cjs for the tests that import it.
/** The one line to print when Node.js `found` does not satisfy `engine` (">=X.Y[.Z]"); undefined when it does. */
export function nodeVersionProblem(found: string, engine: string, nodePath: string): string | undefined;
/** The lowest release engines.node (">=X.Y[.Z]") allows, as "X.Y.Z"; undefined when it is not of that form. */
export function lowestNodeVersion(engine: string): string | undefined;
