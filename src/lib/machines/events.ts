/** The events every scenario machine understands (dot.case, as the design asks). */
export type ScenarioEvent =
  | { type: 'step.next' }
  /** A learner's choice; `choice` is one of the catalog's choice ids for this scenario. */
  | { type: 'learner.choose'; choice: string }
  /** The frames scenario: the learner's own message, encoded live. */
  | { type: 'learner.type'; text: string }
  /** The closing scenario: the close code and reason the initiator sends. */
  | { type: 'learner.configure'; code: number; reason: string };

export interface StepParams {
  step: string;
}

export interface ChoiceParams {
  choice: string;
}
