/**
 * The words of the security lesson's attacker page, which the demo server serves on its second port
 * (server/security/attacker.ts). The page's own script fills the `{…}` slots, so these stay plain
 * strings that travel to it as JSON.
 */
import type { Lang } from './lang';

export interface AttackerStrings {
  title: string;
  heading: string;
  /** {origin}: this page's origin; {target}: wirescope's host:port. */
  intro: string;
  /** {path}, {text}. */
  read: string;
  /** {path}, {code}. */
  refused: string;
}

export const ATTACKER: Record<Lang, AttackerStrings> = {
  en: {
    title: "An attacker's page (a wirescope teaching aid)",
    heading: "An attacker's page",
    intro:
      "This page comes from {origin}, another origin than wirescope's ({target}). Its script opens WebSockets to wirescope, and your browser adds wirescope's cookie if it has one for this site. wirescope's security lesson explains what happens.",
    read: '{path}: opened, and read “{text}”',
    refused: '{path}: refused (the page only sees close {code})',
  },
  ko: {
    title: '공격자의 페이지 (wirescope 학습용 도구)',
    heading: '공격자의 페이지',
    intro:
      '이 페이지는 wirescope({target})와 다른 출처인 {origin}에서 왔어요. 이 페이지의 스크립트가 wirescope로 WebSocket을 열고, 브라우저는 이 사이트에 대한 wirescope의 쿠키가 있으면 함께 보내요. 무슨 일이 일어나는지는 wirescope의 보안 레슨에서 설명해요.',
    read: '{path}: 열렸고, “{text}”를 읽었어요',
    refused: '{path}: 거부됐어요 (페이지에는 close {code}만 보여요)',
  },
};
