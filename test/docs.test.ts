/**
 * The docs stay true to the code: every flag the README and docs/cli.md show
 * exists, every option a command has is documented, and the reason-code table
 * lists exactly what the parser can return.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { COMMANDS } from '../src/cli/commands/registry.ts';
import { buildProgram } from '../src/cli/main.ts';
import { allRejectReasons } from '../src/protocol/krpc/index.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const silent = { out: () => {}, err: () => {}, readStdin: async () => new Uint8Array() };

function longFlags(command: Command): string[] {
  return command.options.map((o) => o.long).filter((l): l is string => l !== undefined);
}

/** Every command and subcommand (`lab eval`), with its full name. */
function allCommands(command: Command, prefix = ''): { name: string; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return [{ name, command: sub }, ...allCommands(sub, `${name} `)];
  });
}

describe('docs match the code', async () => {
  const program = await buildProgram(silent);
  const commands = allCommands(program);
  const known = new Set([
    ...longFlags(program),
    '--help',
    ...commands.flatMap(({ command }) => longFlags(command)),
  ]);

  it('each command module, loaded alone, registers the command the registry names', async () => {
    assert.deepEqual(
      commands.filter(({ name }) => !name.includes(' ')).map(({ name }) => name),
      COMMANDS.map((c) => c.name),
      'the registry lists every command once, in help order',
    );
    for (const entry of COMMANDS) {
      const alone = await buildProgram(silent, entry.name);
      assert.deepEqual(
        alone.commands.map((c) => c.name()),
        [entry.name],
      );
    }
  });

  it('every --flag in README.md and docs/cli.md exists', () => {
    for (const file of ['README.md', 'docs/cli.md']) {
      for (const [flag] of read(file).matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)) {
        assert.ok(known.has(flag), `${file} mentions ${flag}, which no command has`);
      }
    }
  });

  it('every command and option is documented in docs/cli.md', () => {
    const cli = read('docs/cli.md');
    for (const { name, command } of commands) {
      assert.ok(cli.includes(`dhtscope ${name}`), `docs/cli.md does not describe ${name}`);
      for (const flag of longFlags(command))
        assert.ok(cli.includes(flag), `docs/cli.md lacks ${name} ${flag}`);
    }
  });

  it('docs/protocol.md lists every reason code and no other', () => {
    const doc = read('docs/protocol.md');
    const start = doc.indexOf('| table | reasons |');
    assert.ok(start >= 0, 'docs/protocol.md has no reason table');
    const table = doc.slice(start, doc.indexOf('\n\n', start));
    const listed = new Set(
      [...table.matchAll(/^\| `([a-z_]+)` \| (.*) \|$/gm)].flatMap(([, name, cells]) =>
        [...cells!.matchAll(/`([^`]+)`/g)].map((m) => `${name}.${m[1]}`),
      ),
    );
    const actual = new Set<string>(allRejectReasons());
    for (const reason of actual) assert.ok(listed.has(reason), `docs/protocol.md lacks ${reason}`);
    for (const reason of listed)
      assert.ok(
        actual.has(reason),
        `docs/protocol.md lists ${reason}, which the parser never returns`,
      );
  });
});

describe('docs/data-directory.md matches the schema', () => {
  it('documents every column of every dataset and table, with its type', async () => {
    const { SQL_TYPES } = await import('../src/store/schema.ts');
    const { DATASETS } = await import('../src/store/datasets.ts');
    const { TABLES } = await import('../src/store/tables.ts');
    const doc = read('docs/data-directory.md');
    for (const table of TABLES)
      assert.ok(
        doc.includes(`### \`${table.name}\``),
        `docs/data-directory.md lacks ${table.name}`,
      );
    for (const dataset of DATASETS)
      assert.ok(
        doc.includes(`### \`${dataset.name}\``),
        `docs/data-directory.md lacks ${dataset.name}`,
      );
    for (const columns of [...DATASETS.map((d) => d.columns), ...TABLES.map((t) => t.columns)]) {
      for (const c of columns) {
        assert.ok(
          doc.includes(`| \`${c.name}\` | ${SQL_TYPES[c.type]} |`),
          `docs/data-directory.md lacks ${c.name}`,
        );
      }
    }
  });
});
