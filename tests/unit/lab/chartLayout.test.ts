import { describe, expect, it } from 'vitest';
import { attribute } from '../../../src/lib/lab/attribute';
import {
  MARGIN,
  bytesPerEventBars,
  connectionTimeline,
  latencyDistribution,
  latencyOverTime,
} from '../../../src/lib/lab/chartLayout';
import { computeFigures } from '../../../src/lib/lab/metrics';
import { loadRun } from './fixtures';

const run = loadRun('lab-run.json');
const size = { width: 600, height: 240 };
const inner = { width: 600 - MARGIN.left - MARGIN.right, height: 240 - MARGIN.top - MARGIN.bottom };

describe('chart layouts', () => {
  it('draws one latency line per contender with a point per delivered event', () => {
    const chart = latencyOverTime(run.receipts, run.trace.startedAt, size);
    expect(chart.series.map((s) => s.contender)).toEqual(['short', 'long', 'sse', 'ws']);
    for (const s of chart.series) {
      expect(s.count).toBe(run.expected.to - run.expected.from + 1);
      expect(s.path.split(/[ML]/).filter(Boolean)).toHaveLength(s.count);
    }
    for (const tick of chart.yTicks) expect(tick.pos).toBeGreaterThanOrEqual(0);
  });

  it('draws cumulative distributions that end at 100%', () => {
    const chart = latencyDistribution(run.receipts, size);
    for (const s of chart.series) expect(s.path.endsWith(',0')).toBe(true);
    expect(chart.yTicks.at(-1)).toMatchObject({ label: '100%', pos: 0 });
  });

  it('stacks bytes per event inside the plot, the largest total reaching furthest', () => {
    const { rows } = bytesPerEventBars(computeFigures(run), size);
    for (const row of rows) {
      const last = row.segments.at(-1)!;
      expect(last.x + last.width).toBeLessThanOrEqual(inner.width + 1e-9);
      expect(row.segments.every((s) => s.width >= 0)).toBe(true);
    }
    const widest = rows.reduce((a, b) => (a.total > b.total ? a : b));
    expect(widest.contender).toBe('long');
  });

  it('puts a bar for every held request on its contender’s lane', () => {
    const a = attribute(run.trace);
    const chart = connectionTimeline(a.exchanges, a.end, size);
    for (const lane of chart.lanes) {
      expect(lane.bars).toHaveLength(a.exchanges.filter((e) => e.party === lane.contender).length);
      for (const bar of lane.bars) expect(bar.x + bar.width).toBeLessThanOrEqual(inner.width + 1.5);
    }
    expect(chart.lanes.find((l) => l.contender === 'ws')!.bars).toHaveLength(1);
  });
});
