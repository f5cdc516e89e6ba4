import { describe, expect, it } from 'vitest';
import { computeFigures } from '../../../src/lib/lab/metrics';
import { RunFormatError, figuresToCsv, runFromJson, runToJson } from '../../../src/lib/lab/runFile';
import { loadRun } from './fixtures';

const run = loadRun('lab-run.json');

describe('saved runs', () => {
  it('round-trips a run through JSON and recomputes the same figures', () => {
    const figures = computeFigures(run);
    const again = runFromJson(JSON.parse(JSON.stringify(runToJson(run, figures))));
    expect(computeFigures(again)).toEqual(figures);
    expect(again.receipts).toEqual(run.receipts);
  });

  it('writes one CSV row per contender under a header', () => {
    const lines = figuresToCsv(computeFigures(run)).trimEnd().split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]!.split(',')).toHaveLength(lines[1]!.split(',').length);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['short', 'long', 'sse', 'ws']);
  });

  it.each([
    ['a foreign format', { format: 'x' }, /not a wirescope lab run/],
    ['another version', { ...runToJson(run, undefined), version: 9 }, /version 9/],
    [
      'a bad receipt',
      { ...runToJson(run, undefined), receipts: [{ contender: 'carrier-pigeon', id: 1 }] },
      /receipt 0/,
    ],
    [
      'a broken trace',
      { ...runToJson(run, undefined), trace: { format: 'wirescope-trace', version: 1 } },
      /trace:/,
    ],
  ])('refuses %s', (_name, value, message) => {
    expect(() => runFromJson(value)).toThrow(RunFormatError);
    expect(() => runFromJson(value)).toThrow(message);
  });
});
