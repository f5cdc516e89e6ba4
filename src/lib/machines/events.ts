/** The events every scenario machine understands (dot.case, as the design asks). */
export type ScenarioEvent =
  | { type: 'step.next' }
  /** A learner's choice; `choice` is one of the scenario graph's choice ids. */
  | { type: 'learner.choose'; choice: string }
  /** The frames scenario: the learner's own message, encoded live. */
  | { type: 'learner.type'; text: string }
  /** The closing scenario: the close code and reason the initiator sends. */
  | { type: 'learner.configure'; code: number; reason: string }
  /** A number the learner sets with a control (staying connected: `heartbeatMs`, the heartbeat interval). */
  | { type: 'learner.set'; key: string; value: number }
  /** The player's speed changed: timers already counting down take the new speed at their next tick. */
  | { type: 'player.speed'; speed: number };

export interface StepParams {
  step: string;
}

export interface ChoiceParams {
  choice: string;
}
