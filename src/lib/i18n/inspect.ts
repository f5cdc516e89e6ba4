/** The inspect page's UI strings (wirescope in front of the learner's own app), in English and Korean. */
import type { Lang } from './lang';

type Kind = 'http' | 'sse' | 'websocket' | 'other';

const en = {
  title: 'Inspect your app',
  intro:
    'Every request, event stream and WebSocket your browser sends through wirescope to your app, live: open one to see its messages and every byte, and read what it does that the RFCs forbid or advise against.',
  connecting: 'Opening the tap of every proxied connection…',
  unavailable:
    'Nothing to inspect here: start wirescope in front of your app, for example npm start -- --target http://127.0.0.1:3000, then open your app through wirescope’s port and this page under /__wirescope/.',
  ended: 'The tap closed: wirescope stopped. Reload this page once it runs again.',
  inFront: (target: string) =>
    `In front of ${target}. Use your app through this server’s port; every byte is shown here.`,
  dropped: (n: number) => `${n} events were dropped while the page read slowly.`,
  trimmed: (n: number) =>
    `To bound this page’s memory, the ${n} oldest messages were let go; every connection stays listed.`,
  filters: 'Filters',
  path: 'Path contains',
  kind: 'Kind',
  kinds: {
    all: 'All',
    http: 'HTTP',
    sse: 'Server-sent events',
    websocket: 'WebSocket',
    other: 'Other',
  } as Record<Kind | 'all', string>,
  direction: 'Direction',
  directions: { both: 'Both ways', c2s: 'Browser to app', s2c: 'App to browser' } as Record<
    'both' | 'c2s' | 's2c',
    string
  >,
  pause: 'Pause',
  resume: 'Resume',
  waiting: (n: number) => `Paused: ${n} new events wait.`,
  connections: 'Connections',
  noConnections: 'No connections yet: use your app through wirescope.',
  noMatch: 'No connection matches the filters.',
  onlyRecent: (shown: number, total: number) =>
    `The ${shown} most recent of ${total} connections are listed; filter by path or kind to find the others.`,
  columns: {
    conn: 'Connection',
    request: 'First request',
    kind: 'Kind',
    status: 'Status',
    messages: 'Messages',
    bytes: 'Bytes (up / down)',
    state: 'State',
  },
  open: 'open',
  closed: 'closed',
  more: (n: number) => `(+${n} more)`,
  openConnection: (id: string, what: string) => `Open ${id}: ${what}`,
  leg: 'Which leg',
  legs: { target: 'wirescope ⇄ your app', client: 'browser ⇄ wirescope' },
  lanes: { browser: 'Browser', wirescope: 'wirescope', app: 'Your app' },
  diagram: (id: string) => `Messages on connection ${id}`,
  messagesLabel: (id: string) => `Connection ${id}: messages`,
  hidden: (n: number) => `The ${n} oldest messages are not drawn.`,
  chooseConnection: 'Choose a connection to see its messages.',
  exportTrace: 'Export trace (JSON)',
  exportHar: 'Export HAR',
  exportHint: 'Exports what the filters show.',
  findings: 'Findings',
  findingsIntro: 'What the traffic shown does that the RFCs forbid (violations) or advise against (advice).',
  noFindings: 'No findings: nothing here breaks a rule wirescope checks.',
  checking: 'Checking…',
  violation: 'Violation',
  advice: 'Advice',
  showBytes: (conn: string) => `Show on ${conn}`,
  onlyFirstFindings: (shown: number, total: number) =>
    `The first ${shown} of ${total} are listed; filter by path or kind to narrow them.`,
  where: (conn: string, dir: string) => `${conn}, ${dir}`,
};

export type InspectStrings = typeof en;

const ko: InspectStrings = {
  title: '내 앱 들여다보기',
  intro:
    '브라우저가 wirescope를 거쳐 앱으로 보내는 모든 요청, 이벤트 스트림, WebSocket을 실시간으로 보여 줘요. 하나를 열면 메시지와 모든 바이트가 보이고, RFC가 금지하거나 권하지 않는 동작도 알려 줘요.',
  connecting: '프록시된 모든 연결의 탭을 여는 중이에요…',
  unavailable:
    '여기서는 들여다볼 것이 없어요. 앱 앞에 wirescope를 세워 주세요(예: npm start -- --target http://127.0.0.1:3000). 그런 다음 wirescope 포트로 앱을 열고, 이 페이지는 /__wirescope/ 아래에서 여세요.',
  ended: '탭이 닫혔어요: wirescope가 멈췄어요. 다시 실행되면 이 페이지를 새로 고치세요.',
  inFront: (target) => `${target} 앞에 서 있어요. 이 서버의 포트로 앱을 쓰면 모든 바이트가 여기에 보여요.`,
  dropped: (n) => `페이지가 느리게 읽는 동안 이벤트 ${n}개를 놓쳤어요.`,
  trimmed: (n) =>
    `이 페이지의 메모리를 아끼려고 가장 오래된 메시지 ${n}개를 비웠어요. 연결 목록은 그대로예요.`,
  filters: '필터',
  path: '경로에 포함된 글자',
  kind: '종류',
  kinds: { all: '전체', http: 'HTTP', sse: '서버 전송 이벤트', websocket: 'WebSocket', other: '기타' },
  direction: '방향',
  directions: { both: '양방향', c2s: '브라우저에서 앱으로', s2c: '앱에서 브라우저로' },
  pause: '일시 정지',
  resume: '다시 시작',
  waiting: (n) => `일시 정지: 새 이벤트 ${n}개가 기다리고 있어요.`,
  connections: '연결',
  noConnections: '아직 연결이 없어요. wirescope를 거쳐 앱을 써 보세요.',
  noMatch: '필터에 맞는 연결이 없어요.',
  onlyRecent: (shown, total) =>
    `연결 ${total}개 중 가장 최근 ${shown}개만 보여요. 다른 연결은 경로나 종류로 걸러서 찾아보세요.`,
  columns: {
    conn: '연결',
    request: '첫 요청',
    kind: '종류',
    status: '상태 코드',
    messages: '메시지',
    bytes: '바이트(보냄 / 받음)',
    state: '상태',
  },
  open: '열림',
  closed: '닫힘',
  more: (n) => `(외 ${n}개)`,
  openConnection: (id, what) => `${id} 열기: ${what}`,
  leg: '어느 구간',
  legs: { target: 'wirescope ⇄ 내 앱', client: '브라우저 ⇄ wirescope' },
  lanes: { browser: '브라우저', wirescope: 'wirescope', app: '내 앱' },
  diagram: (id) => `연결 ${id}의 메시지`,
  messagesLabel: (id) => `연결 ${id}: 메시지`,
  hidden: (n) => `가장 오래된 메시지 ${n}개는 그리지 않았어요.`,
  chooseConnection: '연결을 고르면 메시지가 보여요.',
  exportTrace: '트레이스 내보내기(JSON)',
  exportHar: 'HAR 내보내기',
  exportHint: '필터가 보여 주는 것을 내보내요.',
  findings: '발견한 문제',
  findingsIntro: '보이는 트래픽 중 RFC가 금지하는 것(위반)과 권하지 않는 것(조언)이에요.',
  noFindings: '발견한 문제가 없어요. wirescope가 확인하는 규칙을 어긴 것이 없어요.',
  checking: '확인하는 중…',
  violation: '위반',
  advice: '조언',
  showBytes: (conn) => `${conn}에서 보기`,
  onlyFirstFindings: (shown, total) =>
    `${total}개 중 처음 ${shown}개만 보여요. 경로나 종류로 걸러서 좁혀 보세요.`,
  where: (conn, dir) => `${conn}, ${dir}`,
};

export const INSPECT: Record<Lang, InspectStrings> = { en, ko };
