// docs/configuration.md's table is made from the schema (scripts/configuration-table.ts): this
// fails, saying which command mends it, when the file and the schema have drifted apart.
import { describe, expect, it } from '@jest/globals';
import { configurationDocProblem, configurationTable, withTable, TABLE_END, TABLE_START } from '../../scripts/configuration-table.ts';
import { variablesSchema } from '../../src/config/schema.ts';

describe('the configuration table', () => {
  it('is in step with src/config/schema.ts (else: npm run docs:config)', () => {
    expect(configurationDocProblem()).toBeUndefined();
  });

  it('has a row for every variable the gateway reads, with its default, what it takes and what it does', () => {
    const rows = configurationTable().split('\n');
    for (const name of Object.keys(variablesSchema.shape)) {
      const row = rows.find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row?.split(' | ')).toHaveLength(4);
    }
    expect(rows.filter((line) => line.startsWith('| `'))).toHaveLength(Object.keys(variablesSchema.shape).length);
  });

  it('would notice a file out of step, and write only between its markers', () => {
    const stale = `# Configuration\n\nProse.\n\n${TABLE_START}\n| stale |\n${TABLE_END}\n\nMore prose.\n`;
    const written = withTable(stale);
    expect(written).not.toBe(stale);
    expect(written).toBe(`# Configuration\n\nProse.\n\n${TABLE_START}\n${configurationTable()}\n${TABLE_END}\n\nMore prose.\n`);
    expect(withTable(written)).toBe(written);
  });
});
