// Stops `npm start`, `npm test` (and dev, simulator, bench) at once on a Node.js older than
// package.json's engines.node, in one line, instead of a cryptic error from the first .ts import.
// Plain CommonJS with no dependencies, so that it runs on any old Node. (`npm ci` is stopped by
// engine-strict in .npmrc.)
'use strict';

const INSTALL_HINT = 'get Node.js 24 LTS from https://nodejs.org/en/download (or `nvm install 24`), then run the command again';

/** [major, minor, patch] of "22.18", "v20.20.2" or ">=22.18"; undefined when it is not one. */
function versionOf(text) {
  const match = /^\s*(?:>=\s*)?v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(text);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)];
}

/** The one line to print when Node.js `found` does not satisfy `engine` (">=X.Y[.Z]"); undefined when it does. */
function nodeVersionProblem(found, engine, nodePath) {
  const need = versionOf(engine);
  const have = versionOf(found);
  if (need === undefined || !/^\s*>=/.test(engine)) return `scripts/check-node.cjs reads only engines.node of the form ">=X.Y", got ${JSON.stringify(engine)}`;
  if (have === undefined)
    return `capture-gateway needs Node.js ${engine.replace(/^\s*>=\s*/, '').trim()} or later; found an unreadable version ${JSON.stringify(found)} (${nodePath}): ${INSTALL_HINT}`;
  const needed = engine.replace(/^\s*>=\s*/, '').trim();
  for (let i = 0; i < 3; i++) {
    if (have[i] > need[i]) return undefined;
    if (have[i] < need[i]) {
      return `capture-gateway needs Node.js ${needed} or later; found Node.js ${found} (${nodePath}): ${INSTALL_HINT}`;
    }
  }
  return undefined;
}

/** The lowest release engines.node (">=X.Y[.Z]") allows, as "X.Y.Z": what CI also runs the tests on. */
function lowestNodeVersion(engine) {
  const need = versionOf(engine);
  if (need === undefined || !/^\s*>=/.test(engine)) return undefined;
  return need.join('.');
}

module.exports = { nodeVersionProblem, lowestNodeVersion };

if (require.main === module) {
  const engine = require('../package.json').engines.node;
  const problem = nodeVersionProblem(process.versions.node, engine, process.execPath);
  if (problem !== undefined) {
    process.stderr.write(problem + '\n');
    process.exit(1);
  }
}
