import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

describe('dhtscope ipinfo', () => {
  it('looks addresses up in the built-in data, IPv4 and IPv6', async () => {
    const { code, stdout } = await runCli(['ipinfo', '1.1.1.1', '2001:4860:4860::8888', '--json']);
    assert.equal(code, 0);
    const [cloudflare, google] = JSON.parse(stdout) as Record<string, unknown>[];
    assert.equal(cloudflare!.asn, 13335);
    assert.equal(google!.asn, 15169);
  });

  it('refuses what is not an address, naming it, with the usage exit code', async () => {
    const { code, stdout, stderr } = await runCli(['ipinfo', '1.1.1.1', 'nonsense', '1.2.3']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /"nonsense", "1\.2\.3" are not IPv4 or IPv6 addresses/);
  });

  it('an overlay wins, and its label shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dhtscope-ipinfo-'));
    try {
      const overlay = join(dir, 'overlay.csv');
      writeFileSync(
        overlay,
        'cidr,asn,org,country,label\n1.1.1.0/24,64512,Lab ISP,DE,lab-normal\n',
      );
      const { code, stdout } = await runCli([
        'ipinfo',
        '1.1.1.1',
        '--overlay',
        overlay,
        '--sources',
      ]);
      assert.equal(code, 0);
      assert.match(stdout, /1\.1\.1\.1\s+│ 64512 │ Lab ISP\s+│ DE\s+│.*lab-normal/);
      assert.match(stdout, /sources, highest precedence first:\n {2}overlay/);
      writeFileSync(overlay, 'cidr,asn\nnot-a-cidr,1\n');
      const bad = await runCli(['ipinfo', '1.1.1.1', '--overlay', overlay]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /overlay\.csv:2: "not-a-cidr" is not an IPv4 or IPv6 address/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
