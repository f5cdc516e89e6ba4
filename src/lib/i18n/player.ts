/** The player's UI strings in both languages (lesson prose lives in lessons/, not here). */
import type { Lang } from './lang';

const en = {
  scenario: 'Scenario',
  controls: 'Player controls',
  next: 'Next step',
  previous: 'Previous step',
  play: 'Play',
  pause: 'Pause',
  restart: 'Restart',
  speed: 'Speed',
  steps: 'Steps',
  stepN: (n: number, id: string) => `Step ${n}: ${id}`,
  choices: 'Your choice',
  messages: 'Messages',
  diagram: 'Sequence diagram',
  /** Text the sequence diagram builds itself (message summaries are protocol text and stay as sent). */
  sequence: {
    connected: 'TCP connected (SYN, SYN-ACK, ACK)',
    cut: 'Connection cut: no FIN, no Close',
    closed: (by: 'client' | 'server' | 'unknown') => `TCP closed (FIN from ${by})`,
  },
  inspector: 'Byte inspector',
  nothingSelected: 'Select a message to see its bytes.',
  fields: 'Fields',
  bytes: (n: number) => `${n} bytes`,
  /** A field's place in its unit: [start, end). */
  byteRange: (start: number, end: number) =>
    end - start === 1 ? `byte ${start}` : `bytes ${start}–${end - 1}`,
  more: (n: number) => `… ${n} more bytes`,
  bits: 'First two bytes, bit by bit',
  byteN: (n: number) => `Byte ${n}`,
  noPayloadYet: 'No payload bytes have arrived yet.',
  masking: 'Masking: payload XOR key',
  maskKey: 'Masking key',
  sent: 'On the wire',
  key: 'Key',
  plain: 'Unmasked',
  /** Lifelines of the sequence diagram. */
  lanes: {
    client: 'Client',
    server: 'Server',
    httpClient: 'HTTP client',
    wsClient: 'WebSocket client',
    browser: 'Browser',
    balancer: 'Load balancer',
    nodeA: 'Node a',
    nodeB: 'Node b',
    redis: 'Redis',
    yourPage: 'Your page',
    attackerPage: "Attacker's page",
  },
  closeCode: 'Close code',
  closeReason: 'Reason',
  yourMessage: 'Your message',
  status: (n: number, id: string) => `Step ${n}: ${id}`,
  end: 'End of this flow',
  /** A timed step counting down (a held long poll). */
  waiting: (done: number, total: number) => `Waiting: ${done} s of ${total} s`,
  /** The panels scenarios add beside the diagram. */
  panels: {
    accept: 'Sec-WebSocket-Accept, step by step',
    serverAnswered: 'the server answered instead',
    keyPlusGuid: 'key + GUID',
    tally: 'Tally',
    connections: 'Connections',
    requests: 'Requests',
    totalBytes: 'Bytes on the wire',
    count: 'Count',
    relayed: 'Messages through the balancer',
    backplane: 'Messages on the backplane',
    delivered: 'Events delivered',
    // Server-sent events (lesson 7): what the page's EventSource holds
    eventSource: 'The EventSource',
    value: 'Now',
    lastEventId: 'Last event ID',
    reconnectionTime: 'Reconnection time',
    browserDefault: "the browser's own (a few seconds)",
    eventsDispatched: 'Events dispatched (type, id)',
  },
  // ---- Staying connected (lesson 8): the heartbeat control and its panels ----
  heartbeat: {
    interval: 'Heartbeat interval',
    seconds: (n: number) => `${n} s`,
    detectionCaption: 'How long until each one notices that the network is gone',
    givesUpAfter: 'Notices after',
    rows: {
      'page-heartbeat': "The page's heartbeat (answer within one interval)",
      'server-ping': "The server's pings (pong missing at the next ping)",
      'chromium-keepalive': "Chromium's TCP keep-alive (45 s idle, 9 probes 45 s apart)",
      retransmissions: 'Unacknowledged data retransmitted (리눅스 tcp_retries2 = 15)',
      'os-keepalive': 'TCP keep-alive with Linux defaults (2 h idle, 9 probes 75 s apart)',
    } as Record<string, string>,
    duration: (seconds: number) => {
      const s = Math.round(seconds);
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      const rest = s % 60;
      // No-break spaces keep each number with its unit in a narrow table cell.
      return [h ? `${h}\u00a0h` : '', m ? `${m}\u00a0min` : '', rest || (!h && !m) ? `${rest}\u00a0s` : '']
        .filter(Boolean)
        .join(' ');
    },
    herdCaption: (clients: number) =>
      `A restart drops ${clients.toLocaleString('en')} clients at once, and each retries once`,
    withoutJitter: 'Every client waits 1 s',
    withJitter: 'Full jitter: 0–1 s',
    busiest: (ms: number) => `Most retries in any ${ms} ms`,
  },
  // ---- Security (lesson 10): its panels ----
  security: {
    authCaption: 'Three ways to authenticate a WebSocket, and what each costs',
    authColumns: ['Cookie + Origin check', 'Ticket in the URL', 'Token in the first message'],
    authRows: [
      { head: 'Extra round trip', cells: ['none', 'one request for the ticket', 'none (one message)'] },
      {
        head: 'Scripts on the page can read the secret',
        cells: ['no (HttpOnly)', 'the ticket, for seconds', 'yes: an XSS can take it'],
      },
      { head: 'Secret in URLs and logs', cells: ['no', 'yes, so single-use and short-lived', 'no'] },
      {
        head: 'Needs the Origin check',
        cells: [
          'yes: the browser adds the cookie for any page of the site',
          'on the ticket request',
          'no, but keep it',
        ],
      },
      {
        head: 'Sockets open before authentication',
        cells: ['none', 'none', 'until the first message: time them out'],
      },
    ] as { head: string; cells: string[] }[],
    defencesCaption: 'What stops what',
    defencesColumns: ['Defence'],
    defencesRows: [
      {
        head: 'A page of another site riding the cookie',
        cells: ['SameSite=Lax or Strict, and the Origin check'],
      },
      {
        head: 'A page of the same site (another port, a sibling subdomain)',
        cells: ['The Origin check only'],
      },
      {
        head: 'Someone on the network reading or changing frames',
        cells: ['wss:// (TLS); masking is not encryption'],
      },
      { head: 'Huge messages', cells: ['A message size limit (64 KiB): close 1009'] },
      {
        head: 'A flood of messages',
        cells: ['A rate limit per connection: close 1008 (the demo server sets none)'],
      },
      {
        head: 'A flood of connections',
        cells: ['Limits per address (256) and in total (4,000): 503 before the upgrade'],
      },
      {
        head: 'A handshake sent one byte at a time',
        cells: ['A timeout for the request head (10 s): 408'],
      },
    ] as { head: string; cells: string[] }[],
  },
  keyboard: 'Keys: → next, ← previous, space play/pause, Home restart',
  live: {
    run: 'Run it for real',
    exportTrace: 'Export the live trace (JSON)',
    running: 'Running against the demo server…',
    checking: 'Looking for the demo server…',
    unavailable: 'Live runs need the demo server: start it with npm start, then reload this page.',
    needsCluster:
      'This live run needs a cluster: stop npm start, run npm run cluster (Redis and two nodes), open the URL of node a it prints, then try again.',
    failed: (why: string) => `The live run failed: ${why}`,
    full: (inUse: number, max: number) =>
      `the class server is full: ${inUse} of ${max} sessions in use. Ask your teacher to start it with --max-sessions ${max * 2} (or more), then try again.`,
    done: (n: number) => `Live run finished: ${n} messages captured by the server's tap.`,
    simulated: 'Simulated',
    live: "Live (from the server's tap)",
    differs: 'What differs',
    what: 'What',
    observed: 'The page saw',
    rows: {
      key: 'Sec-WebSocket-Key (random in a browser)',
      accept: 'Sec-WebSocket-Accept (follows the key)',
      masks: 'Mask keys of client frames (fresh per frame)',
      'extra-headers': 'Headers the browser added',
      connections: 'TCP connections',
      messages: 'Messages',
      bytes: 'Bytes in messages',
      duration: 'Time from first to last event',
    } as Record<string, string>,
  },
  // --- Lesson 9, compression (RFC 7692): the compression scenario's panels ---
  deflate: {
    params: 'What each direction compresses with',
    windowColumn: 'Window',
    contextColumn: 'Context',
    window: (bits: number) => `${(2 ** bits).toLocaleString('en')} bytes (2^${bits})`,
    kept: 'kept from message to message',
    reset: 'reset after every message',
    clientToServer: 'Client → server',
    serverToClient: 'Server → client',
    tail: "The server's first 'Hello' through the compressor (RFC 7692 7.2.1)",
    deflated: 'DEFLATE, then a sync flush',
    removed: 'the last 4 bytes, removed',
    payload: 'the payload, after RSV1 = 1',
    inflated: 'the receiver adds 00 00 ff ff back and inflates',
    copies: "'Hello' again and again, server to client",
    uncompressed: 'Uncompressed',
    copy: (n: number) => `Copy ${n}`,
    payloadColumn: 'Payload on the wire',
    frameColumn: 'Frame bytes',
    payloadBytes: 'Payload bytes',
    memory: 'Measured by npm run bench: bytes on the wire per message, and server memory per connection',
    chatColumn: (n: number) => `JSON chat (${n} B)`,
    tickColumn: (n: number) => `Market tick (${n} B)`,
    memoryColumn: 'Server memory',
    plainRow: 'Uncompressed',
    takeoverRow: 'Context takeover',
    noTakeoverRow: 'No context takeover',
    windowRow: 'A 1 KiB window',
    oracle: "What an eavesdropper sees: the size of eve's message for each guess",
    right: (guess: string) => `${guess} (right)`,
  },
  // --- end of lesson 9 ---
  paste: {
    label: 'Bytes in hex (a WebSocket frame or an HTTP/1.1 message)',
    examples: 'Examples',
    exampleFrame: 'Masked text frame (RFC 6455 5.7)',
    exampleUpgrade: 'Upgrade request',
    exampleRsv: 'Malformed: RSV1 set',
    exampleLength: 'Malformed: non-minimal length',
    empty: 'Paste some hex bytes to decode them.',
    badHex: 'Not hex.',
    hexFault: (kind: 'odd-digits' | 'not-hex', text: string) =>
      kind === 'odd-digits' ? `an odd number of hex digits in "${text}"` : `"${text}" is not a hex digit`,
    at: (line: number, column: number) => `Line ${line}, column ${column}`,
    unknown: 'Unrecognised bytes.',
    malformed: 'Malformed.',
    byte: (n: number) => `At byte ${n}`,
    truncated: 'Incomplete: the bytes stop before the unit ends.',
  },
  choiceNames: {
    valid: 'Valid request',
    'wrong-version': 'Wrong version',
    'bad-key': 'Malformed key',
    'foreign-origin': 'Foreign Origin',
    'wrong-accept': 'Server sends wrong Accept',
    data: 'Data arrives',
    timeout: 'Nothing happens',
    client: 'Client closes',
    server: 'Server closes',
    'no-status': 'Close without a code',
    'tcp-cut': 'Cut the connection',
    // lesson 9, compression
    takeover: 'Server keeps its context',
    'no-takeover': 'No context takeover',
    declined: 'Server declines',
    'wrong-guess': 'Eve guesses tok_a',
    'right-guess': 'Eve guesses tok_k',
    deploy: 'Deploy (close 1001)',
    crash: 'Crash (1006)',
    // Server-sent events (lesson 7)
    'stream-drops': 'The connection drops',
    'stream-ends': 'The server ends the response',
    'server-resumes': 'The server resumes',
    'server-stops': 'The server says stop (204)',

    // Staying connected (lesson 8)
    vanish: 'The network vanishes',
    'going-away': 'The server restarts (1001)',
    // Security (lesson 10)
    'same-site': 'Attacker on the same site',
    'cross-site': 'Attacker on another site',
  } as Record<string, string>,
};

export type PlayerStrings = typeof en;

const ko: PlayerStrings = {
  scenario: '시나리오',
  controls: '재생 컨트롤',
  next: '다음 단계',
  previous: '이전 단계',
  play: '재생',
  pause: '일시 정지',
  restart: '처음부터',
  speed: '속도',
  steps: '단계',
  stepN: (n, id) => `${n}단계: ${id}`,
  choices: '선택',
  messages: '메시지',
  diagram: '시퀀스 다이어그램',
  sequence: {
    connected: 'TCP 연결됨 (SYN, SYN-ACK, ACK)',
    cut: '연결 끊김: FIN도 Close도 없음',
    closed: (by) =>
      `TCP 닫힘 (${{ client: '클라이언트', server: '서버', unknown: '알 수 없는 쪽' }[by]}의 FIN)`,
  },
  inspector: '바이트 검사기',
  nothingSelected: '메시지를 고르면 그 바이트를 보여 드려요.',
  fields: '필드',
  bytes: (n) => `${n}바이트`,
  byteRange: (start, end) => (end - start === 1 ? `${start}번 바이트` : `${start}–${end - 1}번 바이트`),
  more: (n) => `… ${n}바이트 더`,
  bits: '처음 두 바이트의 비트',
  byteN: (n) => `${n}번 바이트`,
  noPayloadYet: '아직 도착한 페이로드 바이트가 없어요.',
  masking: '마스킹: 페이로드 XOR 키',
  maskKey: '마스킹 키',
  sent: '전송된 값',
  key: '키',
  plain: '마스킹 해제',
  lanes: {
    client: '클라이언트',
    server: '서버',
    httpClient: 'HTTP 클라이언트',
    wsClient: 'WebSocket 클라이언트',
    browser: '브라우저',
    balancer: '로드 밸런서',
    nodeA: '노드 a',
    nodeB: '노드 b',
    redis: 'Redis',
    yourPage: '내 페이지',
    attackerPage: '공격자의 페이지',
  },
  closeCode: '종료 코드',
  closeReason: '이유',
  yourMessage: '보낼 메시지',
  status: (n, id) => `${n}단계: ${id}`,
  end: '이 흐름의 끝',
  waiting: (done, total) => `기다리는 중: ${total}초 중 ${done}초`,
  panels: {
    accept: 'Sec-WebSocket-Accept 계산 과정',
    serverAnswered: '서버가 대신 보낸 값',
    keyPlusGuid: '키 + GUID',
    tally: '합계',
    connections: '연결 수',
    requests: '요청 수',
    totalBytes: '전송 바이트',
    count: '개수',
    relayed: '밸런서를 지나간 메시지',
    backplane: '백플레인의 메시지',
    delivered: '전달된 이벤트',
    // 서버 전송 이벤트 (레슨 7)
    eventSource: 'EventSource의 상태',
    value: '지금',
    lastEventId: '마지막 이벤트 ID',
    reconnectionTime: '재연결 대기 시간',
    browserDefault: '브라우저 기본값(몇 초)',
    eventsDispatched: '발생한 이벤트(타입, id)',
  },
  // ---- Staying connected (lesson 8): the heartbeat control and its panels ----
  heartbeat: {
    interval: '하트비트 간격',
    seconds: (n) => `${n}초`,
    detectionCaption: '네트워크가 사라진 걸 각자 알아차리기까지 걸리는 시간',
    givesUpAfter: '알아차리기까지',
    rows: {
      'page-heartbeat': '페이지의 하트비트 (간격 하나 안에 답이 와야 해요)',
      'server-ping': '서버의 ping (다음 ping 때 pong이 없으면)',
      'chromium-keepalive': 'Chromium의 TCP keep-alive (45초 유휴, 45초 간격 프로브 9번)',
      retransmissions: '확인 응답 없는 데이터의 재전송 (리눅스 tcp_retries2 = 15)',
      'os-keepalive': '리눅스 기본값의 TCP keep-alive (2시간 유휴, 75초 간격 프로브 9번)',
    },
    duration: (seconds) => {
      const s = Math.round(seconds);
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      const rest = s % 60;
      return [h ? `${h}시간` : '', m ? `${m}분` : '', rest || (!h && !m) ? `${rest}초` : '']
        .filter(Boolean)
        .join(' ');
    },
    herdCaption: (clients) =>
      `재시작 한 번에 클라이언트 ${clients.toLocaleString('ko')}개가 한꺼번에 끊기고, 각자 한 번씩 다시 시도해요`,
    withoutJitter: '모두 1초 대기',
    withJitter: '풀 지터(full jitter): 0~1초',
    busiest: (ms) => `${ms} ms 구간 하나에 몰린 최대 시도 수`,
  },
  // ---- Security (lesson 10): its panels ----
  security: {
    authCaption: 'WebSocket을 인증하는 세 가지 방법과 각각의 비용',
    authColumns: ['쿠키 + Origin 검사', 'URL의 티켓', '첫 메시지의 토큰'],
    authRows: [
      { head: '추가 왕복', cells: ['없음', '티켓을 받는 요청 하나', '없음 (메시지 하나)'] },
      {
        head: '페이지의 스크립트가 비밀을 읽을 수 있나요',
        cells: [
          '아니요 (HttpOnly)',
          '티켓을 몇 초 동안',
          '네: 크로스 사이트 스크립팅 버그가 가져갈 수 있어요',
        ],
      },
      { head: 'URL과 로그에 남는 비밀', cells: ['없음', '남아요. 그래서 한 번만, 짧게 써요', '없음'] },
      {
        head: 'Origin 검사가 필요한가요',
        cells: [
          '네: 브라우저는 사이트의 어느 페이지에든 쿠키를 붙여요',
          '티켓 요청에서',
          '아니요. 그래도 해 두세요',
        ],
      },
      { head: '인증 전에 열려 있는 소켓', cells: ['없음', '없음', '첫 메시지까지: 시간 제한을 두세요'] },
    ],
    defencesCaption: '무엇이 무엇을 막나요',
    defencesColumns: ['방어'],
    defencesRows: [
      {
        head: '쿠키를 타고 들어오는 다른 사이트의 페이지',
        cells: ['SameSite=Lax나 Strict, 그리고 Origin 검사'],
      },
      { head: '같은 사이트의 페이지 (다른 포트, 형제 서브도메인)', cells: ['Origin 검사뿐이에요'] },
      {
        head: '네트워크에서 프레임을 읽거나 바꾸는 사람',
        cells: ['wss:// (TLS). 마스킹은 암호화가 아니에요'],
      },
      { head: '아주 큰 메시지', cells: ['메시지 크기 제한(64 KiB): close 1009'] },
      { head: '쏟아지는 메시지', cells: ['연결마다 빈도 제한: close 1008 (데모 서버에는 없어요)'] },
      {
        head: '쏟아지는 연결',
        cells: ['주소별(256개), 전체(4,000개) 연결 수 제한: 업그레이드 전에 503'],
      },
      { head: '한 바이트씩 보내는 핸드셰이크', cells: ['요청 헤드의 시간 제한(10초): 408'] },
    ],
  },
  keyboard: '키: → 다음, ← 이전, 스페이스 재생/정지, Home 처음부터',
  live: {
    run: '실제로 실행',
    exportTrace: '실제 트레이스 내보내기 (JSON)',
    running: '데모 서버에서 실행 중…',
    checking: '데모 서버를 찾는 중…',
    unavailable:
      '실제 실행에는 데모 서버가 필요해요. npm start로 서버를 켠 다음 이 페이지를 새로 고쳐 주세요.',
    needsCluster:
      '이 실제 실행에는 클러스터가 필요해요. npm start를 멈추고 "npm run cluster"(Redis와 노드 두 대)를 실행한 뒤, 출력된 노드 a의 URL을 열고 다시 해 보세요.',
    failed: (why) => `실제 실행 실패: ${why}`,
    full: (inUse, max) =>
      `수업 서버가 가득 찼어요: 세션 ${max}개 중 ${inUse}개를 쓰고 있어요. 선생님께 --max-sessions ${max * 2} 이상으로 서버를 다시 시작해 달라고 한 뒤 다시 해 보세요.`,
    done: (n) => `실제 실행을 마쳤어요. 서버 탭이 메시지 ${n}개를 캡처했어요.`,
    simulated: '시뮬레이션',
    live: '실제 (서버 탭)',
    differs: '차이점',
    what: '항목',
    observed: '페이지가 본 것',
    rows: {
      key: 'Sec-WebSocket-Key (브라우저에서는 무작위)',
      accept: 'Sec-WebSocket-Accept (키에 따라 달라짐)',
      masks: '클라이언트 프레임의 마스킹 키 (프레임마다 새로)',
      'extra-headers': '브라우저가 추가한 헤더',
      connections: 'TCP 연결 수',
      messages: '메시지 수',
      bytes: '메시지 바이트',
      duration: '첫 이벤트부터 마지막까지 시간',
    },
  },
  // --- 9강, 압축 (RFC 7692) ---
  deflate: {
    params: '방향별 압축 설정',
    windowColumn: '윈도',
    contextColumn: '컨텍스트',
    window: (bits) => `${(2 ** bits).toLocaleString('ko')}바이트 (2^${bits})`,
    kept: '메시지에서 메시지로 이어짐',
    reset: '메시지마다 초기화',
    clientToServer: '클라이언트 → 서버',
    serverToClient: '서버 → 클라이언트',
    tail: "서버의 첫 'Hello'가 압축기를 거치는 과정 (RFC 7692 7.2.1절)",
    deflated: 'DEFLATE 후 싱크 플러시',
    removed: '마지막 4바이트는 떼어 냄',
    payload: 'RSV1 = 1 다음에 오는 페이로드',
    inflated: '받는 쪽은 00 00 ff ff를 다시 붙여 압축 해제',
    copies: "서버가 보내는 'Hello', 거듭해서",
    uncompressed: '압축 안 함',
    copy: (n) => `${n}번째`,
    payloadColumn: '전송되는 페이로드',
    frameColumn: '프레임 바이트',
    payloadBytes: '페이로드 바이트',
    memory: 'npm run bench로 잰 값: 메시지당 전송 바이트와 연결당 서버 메모리',
    chatColumn: (n) => `JSON 채팅 (${n} B)`,
    tickColumn: (n) => `시세 틱 (${n} B)`,
    memoryColumn: '서버 메모리',
    plainRow: '압축 안 함',
    takeoverRow: '컨텍스트 유지',
    noTakeoverRow: '컨텍스트 유지 안 함',
    windowRow: '1 KiB 윈도',
    oracle: '도청자가 보는 것: 추측마다 달라지는 이브 메시지의 크기',
    right: (guess) => `${guess} (정답)`,
  },
  // --- 9강 끝 ---
  paste: {
    label: '16진수 바이트 (WebSocket 프레임 또는 HTTP/1.1 메시지)',
    examples: '예시',
    exampleFrame: '마스킹된 텍스트 프레임 (RFC 6455 5.7)',
    exampleUpgrade: '업그레이드 요청',
    exampleRsv: '잘못된 예: RSV1 설정',
    exampleLength: '잘못된 예: 최소가 아닌 길이',
    empty: '16진수 바이트를 붙여 넣으면 하나하나 풀어서 설명해 드려요.',
    badHex: '16진수가 아니에요.',
    hexFault: (kind, text) =>
      kind === 'odd-digits' ? `"${text}"의 16진수 자릿수가 홀수예요` : `"${text}"는 16진수 숫자가 아니에요`,
    at: (line, column) => `${line}행 ${column}열`,
    unknown: 'HTTP 메시지도 WebSocket 프레임도 아닌 바이트예요.',
    malformed: '형식 오류.',
    byte: (n) => `${n}번째 바이트`,
    truncated: '불완전해요: 메시지나 프레임이 끝나기 전에 바이트가 끊겼어요.',
  },
  choiceNames: {
    valid: '올바른 요청',
    'wrong-version': '잘못된 버전',
    'bad-key': '잘못된 키',
    'foreign-origin': '다른 Origin',
    'wrong-accept': '서버가 틀린 Accept를 보냄',
    data: '데이터 도착',
    timeout: '아무 일도 없음',
    client: '클라이언트가 종료',
    server: '서버가 종료',
    'no-status': '코드 없이 종료',
    'tcp-cut': '연결 끊기',
    // 9강, 압축
    takeover: '서버가 컨텍스트 유지',
    'no-takeover': '컨텍스트 유지 안 함',
    declined: '서버가 거절',
    'wrong-guess': '이브의 추측 tok_a',
    'right-guess': '이브의 추측 tok_k',
    deploy: '배포(close 1001)',
    crash: '장애(1006)',
    // 서버 전송 이벤트 (레슨 7)
    'stream-drops': '연결이 끊김',
    'stream-ends': '서버가 응답을 끝냄',
    'server-resumes': '서버가 이어서 보냄',
    'server-stops': '서버가 그만하라고 함 (204)',

    // Staying connected (lesson 8)
    vanish: '네트워크가 사라짐',
    'going-away': '서버 재시작 (1001)',
    // Security (lesson 10)
    'same-site': '같은 사이트의 공격자',
    'cross-site': '다른 사이트의 공격자',
  },
};

export const PLAYER: Record<Lang, PlayerStrings> = { en, ko };
