/**
 * What a layer view (src/lib/trace/layers.ts) adds to a unit's label, in the page's language: a TCP
 * segment and the units it carries, a unit and the segments it spans, a message joined from its frames.
 * The carried units' own labels come from the caller (the unit renderer), already in this language.
 */
import type { Lang } from './lang';

export type Part = 'whole' | 'start' | 'middle' | 'end';

export type LayerFacts =
  | { kind: 'segment'; capture: boolean; length: number; carries: { label: string; part: Part }[] }
  | { kind: 'spans'; own: string; segments: number }
  | { kind: 'message'; opcode: number; length: number; frames: number; complete: boolean; text?: string };

const WORDS = {
  en: {
    segment: (capture: boolean, n: number) => `${capture ? 'TCP segment' : 'Read/write'}, ${n} B`,
    part: { whole: '', start: ' (start)', middle: ' (middle)', end: ' (end)' },
    more: (n: number) => `+${n} more`,
    spans: (n: number) => `(${n} segments)`,
    frames: (n: number, complete: boolean) =>
      `${n} frame${n === 1 ? '' : 's'}${complete ? '' : ', incomplete'}`,
    text: 'Text message',
    binary: (n: number) => `Binary message, ${n} bytes`,
    other: (n: number) => `Message, ${n} bytes`,
  },
  ko: {
    segment: (capture: boolean, n: number) => `${capture ? 'TCP 세그먼트' : '읽기/쓰기'}, ${n}B`,
    part: { whole: '', start: ' (앞부분)', middle: ' (가운데)', end: ' (뒷부분)' },
    more: (n: number) => `${n}개 더`,
    spans: (n: number) => `(세그먼트 ${n}개)`,
    frames: (n: number, complete: boolean) => `프레임 ${n}개${complete ? '' : ', 미완성'}`,
    text: '텍스트 메시지',
    binary: (n: number) => `바이너리 메시지, ${n}바이트`,
    other: (n: number) => `메시지, ${n}바이트`,
  },
} satisfies Record<Lang, unknown>;

/** Long labels are cut so several fit on one arrow. */
function short(label: string): string {
  return label.length > 28 ? `${label.slice(0, 27)}…` : label;
}

export function describeLayer(facts: LayerFacts, lang: Lang): string {
  const w = WORDS[lang];
  switch (facts.kind) {
    case 'segment': {
      const parts = facts.carries.map((c) => `${short(c.label)}${w.part[c.part]}`);
      const shown = parts.length > 3 ? [...parts.slice(0, 3), w.more(parts.length - 3)] : parts;
      return `${w.segment(facts.capture, facts.length)}${shown.length ? `: ${shown.join(' · ')}` : ''}`;
    }
    case 'spans':
      return `${facts.own} ${w.spans(facts.segments)}`;
    case 'message': {
      const count = w.frames(facts.frames, facts.complete);
      if (facts.opcode === 0x1) {
        const text = facts.text ?? '';
        return `${w.text} '${text.length > 32 ? `${text.slice(0, 32)}…` : text}' (${count})`;
      }
      return `${facts.opcode === 0x2 ? w.binary(facts.length) : w.other(facts.length)} (${count})`;
    }
  }
}
