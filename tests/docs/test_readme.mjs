// tests/docs/test_readme.mjs — the README's tour prints what the README shows.
//
// Every fenced block in README.md whose first line is "$ build/duet …" is a
// tour command and the output it shows. This test creates the demo database
// the way `make run` does (scripts/run.sh: init, then demo --sign-ins), runs
// each command with sh in a folder where build/duet is the binary under test,
// and compares the output with the block line by line:
//   - a line that is only "…" (indented or not) stands for any number of lines;
//   - timestamps (2026-11-26T08:39:54Z) and 64-digit hex hashes differ between
//     databases, so each is compared as a placeholder;
//   - trailing spaces are ignored; everything else must match exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DUET = path.resolve(TOP, process.env.DUET || 'build/duet');

// The tour blocks of a Markdown text: [{command, expected: [lines]}].
export function tourBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```/.test(lines[i])) continue;
    const body = [];
    for (i++; i < lines.length && !/^```/.test(lines[i]); i++) body.push(lines[i]);
    if (body.length && body[0].startsWith('$ build/duet ')) {
      blocks.push({ command: body[0].slice(2), expected: body.slice(1) });
    }
  }
  return blocks;
}

const norm = (s) => s.replace(/\s+$/, '')
  .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\b/g, '<timestamp>')
  .replace(/\b[0-9a-f]{64}\b/g, '<hash>');
const isElision = (s) => s.trim() === '…';

// Does the output (array of lines) match the expected lines, "…" being a
// wildcard for any run of lines? Returns null on a match, or the first
// expected line that could not be matched (for the message).
export function match(expected, output) {
  const exp = expected.map(norm);
  const out = output.map(norm);
  // memo[i][j]: can exp[i..] match out[j..]
  const memo = new Map();
  let furthest = 0;
  const go = (i, j) => {
    const key = i * (out.length + 1) + j;
    if (memo.has(key)) return memo.get(key);
    let r;
    if (i === exp.length) r = j === out.length;
    else if (isElision(exp[i])) {
      r = false;
      for (let k = j; k <= out.length && !r; k++) r = go(i + 1, k);
    } else r = j < out.length && exp[i] === out[j] && go(i + 1, j + 1);
    if (!r && i > furthest) furthest = i;
    memo.set(key, r);
    return r;
  };
  return go(0, 0) ? null : (exp[furthest] ?? exp[exp.length - 1]);
}

test('the matcher is strict where it should be', () => {
  assert.equal(match(['a', '…', 'z'], ['a', 'b', 'c', 'z']), null);
  assert.equal(match(['a', '…'], ['a']), null);
  assert.notEqual(match(['a', 'b'], ['a', 'b', 'c']), null, 'extra output without an elision');
  assert.notEqual(match(['a', 'x'], ['a', 'b']), null);
  assert.equal(match(['at 2026-01-01T00:00:00Z'], ['at 2030-12-31T23:59:59Z']), null);
  assert.notEqual(match(['439 entries'], ['440 entries']), null);
});

const readme = fs.readFileSync(path.join(TOP, 'README.md'), 'utf8');
const blocks = tourBlocks(readme);

test('the README has a tour', () => {
  assert.ok(blocks.length >= 8, `only ${blocks.length} tour blocks found`);
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duet-readme-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
fs.mkdirSync(path.join(dir, 'build'));
fs.symlinkSync(DUET, path.join(dir, 'build', 'duet'));
const env = { ...process.env, DUET_ACTOR: 'tour' };
delete env.DUET_DB;
for (const args of [['--db', 'duet.db', 'init'], ['--db', 'duet.db', 'demo', '--sign-ins']]) {
  const r = spawnSync(DUET, args, { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`duet ${args.join(' ')}: ${r.stderr}`);
}

for (const { command, expected } of blocks) {
  test(`README: ${command}`, () => {
    const r = spawnSync('sh', ['-c', command], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, `${command} failed: ${r.stderr}`);
    const output = r.stdout.replace(/\n$/, '').split('\n');
    const bad = match(expected, output);
    assert.equal(bad, null,
      `README line ${JSON.stringify(bad)} does not match the output of ${command}:\n${r.stdout.slice(0, 4000)}`);
  });
}
