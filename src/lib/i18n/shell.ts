/** Every UI string of the course shell, in both languages. Lesson prose lives in lessons/, not here. */
import type { Lang } from './lang';

const en = {
  product: 'wirescope',
  tagline: 'An interactive course and lab on HTTP versus WebSocket.',
  skip: 'Skip to content',
  siteNav: 'Site',
  home: 'Course',
  inspector: 'Inspector',
  lab: 'Lab',
  inspect: 'Your app',
  language: 'Language',
  darkTheme: 'Dark theme',
  lessons: 'Lessons',
  // The home page's two parts: lessons 1-6, then 7 onward
  partOne: 'Part 1 · From polling to WebSocket',
  partOneIntro:
    'How a server gets news to a page, byte by byte: asking again, holding the request, the WebSocket handshake, frames, closing, and the two side by side.',
  partTwo: 'Part 2 · Beyond the basics',
  partTwoIntro:
    'What real projects ask next: other ways to push, keeping connections alive, and running it all in production.',
  lessonNumber: (n: number) => `Lesson ${n}`,
  progressLabel: (seen: number, total: number) => `Visited ${seen} of ${total} steps`,
  notStarted: 'Not started',
  completed: 'All steps visited',
  resume: (step: number) => `Resume at step ${step}`,
  stepOf: (step: number) => `Step ${step}`,
  narration: 'Narration',
  checkpoint: 'Predict, then reveal',
  yourGuess: 'Your guess',
  reveal: 'Reveal',
  answerRight: 'Your prediction was right.',
  answerWrong: 'Not quite: see why below.',
  answer: 'Answer',
  tryIt: 'Try it for real',
  rfcLinks: 'In the RFCs',
  lessonNav: 'Lessons',
  previous: 'Previous lesson',
  next: 'Next lesson',
  loading: 'Loading…',
  loadFailed: 'This lesson could not be loaded.',
  notFound: 'Page not found',
  notFoundText: 'There is nothing at this address.',
  backHome: 'Back to the course',
  /** Presentation mode: a projector's view of a lesson (diagram and narration only). */
  present: 'Present',
  presentHint: 'Presentation mode: → next, ← back, space plays, P or Escape leaves.',
  leavePresentation: 'Leave presentation',
  footer:
    'Works offline. Every byte shown comes from the RFC 6455, HTTP/1.1 and event-stream encodings in this app.',
  backplaneLost: (node: string) =>
    `Server node ${node} has lost its backplane (Redis): it serves this page alone, and events published on other nodes reach it again once it reconnects (it keeps trying).`,
};

export type UiStrings = typeof en;

const ko: UiStrings = {
  product: 'wirescope',
  tagline: 'HTTP와 WebSocket을 직접 비교해 보는 인터랙티브 강좌이자 실습실이에요.',
  skip: '본문으로 건너뛰기',
  siteNav: '사이트',
  home: '강좌',
  inspector: '바이트 검사기',
  lab: '실습실',
  inspect: '내 앱',
  language: '언어',
  darkTheme: '어두운 테마',
  lessons: '레슨',
  partOne: '1부 · 폴링에서 WebSocket까지',
  partOneIntro:
    '서버가 페이지에 소식을 전하는 방법을 바이트 단위로 봐요. 다시 묻기, 요청 붙잡아 두기, WebSocket 핸드셰이크, 프레임, 닫기, 그리고 둘의 비교까지요.',
  partTwo: '2부 · 기본을 넘어서',
  partTwoIntro:
    '실제 프로젝트에서 다음으로 묻는 것들이에요. 다른 푸시 방식, 연결 유지하기, 그리고 운영 환경에서 돌리기까지요.',
  lessonNumber: (n: number) => `레슨 ${n}`,
  progressLabel: (seen: number, total: number) => `단계 ${total}개 중 ${seen}개 확인`,
  notStarted: '아직 시작하지 않음',
  completed: '모든 단계 확인',
  resume: (step: number) => `${step}단계부터 이어 보기`,
  stepOf: (step: number) => `${step}단계`,
  narration: '해설',
  checkpoint: '먼저 예상하고 확인하기',
  yourGuess: '내 예상',
  reveal: '정답 보기',
  answerRight: '예상이 맞았어요.',
  answerWrong: '아쉽지만 틀렸어요. 아래에서 이유를 확인해 보세요.',
  answer: '정답',
  tryIt: '실제로 해 보기',
  rfcLinks: 'RFC에서 찾아보기',
  lessonNav: '레슨 이동',
  previous: '이전 레슨',
  next: '다음 레슨',
  loading: '불러오는 중…',
  loadFailed: '레슨을 불러오지 못했어요.',
  notFound: '페이지를 찾을 수 없어요',
  notFoundText: '이 주소에는 아무것도 없어요.',
  backHome: '강좌로 돌아가기',
  present: '발표 모드',
  presentHint: '발표 모드: → 다음, ← 이전, 스페이스 재생, P나 Escape로 나가요.',
  leavePresentation: '발표 모드 나가기',
  footer:
    '오프라인에서도 동작해요. 화면의 모든 바이트는 이 앱의 RFC 6455·HTTP/1.1·이벤트 스트림 인코더가 만든 것이에요.',
  backplaneLost: (node: string) =>
    `서버 노드 ${node}이(가) 백플레인(Redis)과 끊겼어요. 지금은 이 노드 혼자 이 페이지를 서비스하고, 다른 노드에서 발행한 이벤트는 다시 연결된 뒤에 도착해요(계속 재연결을 시도하고 있어요).`,
};

export const SHELL: Record<Lang, UiStrings> = { en, ko };
