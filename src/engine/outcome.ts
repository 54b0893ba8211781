/** The answer to an EVENT: the `OK` flag and its message. */
export interface Outcome {
  ok: boolean
  message: string
}
