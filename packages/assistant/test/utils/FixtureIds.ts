/**
 * The ids and the tool used by the official client's recorded requests (fixtures/official-client-requests.jsonl).
 */

export const A1 = "asst_00000000000000000000000000000001"
export const A2 = "asst_00000000000000000000000000000002"
export const T2 = "thread_00000000000000000000000000000002"
export const T4 = "thread_00000000000000000000000000000004"
export const T6 = "thread_00000000000000000000000000000006"
export const T7 = "thread_00000000000000000000000000000007"
export const T8 = "thread_00000000000000000000000000000008"
export const R1 = "run_00000000000000000000000000000001"
export const R2 = "run_00000000000000000000000000000002"
export const R5 = "run_00000000000000000000000000000005"
export const R6 = "run_00000000000000000000000000000006"
export const R7 = "run_00000000000000000000000000000007"
export const M3 = "msg_00000000000000000000000000000003"
export const F1 = "file_00000000000000000000000000000001"
export const S1 = "step_00000000000000000000000000000001"

/** The weather tool of the recorded requests, with extra JSON Schema keys that the SDK must drop. */
export const weather = {
  type: "function",
  function: {
    name: "get_cur_whether",
    description: "这是一个获得指定地点天气的工具",
    parameters: {
      type: "object",
      description: "dropped: only type, properties and required are sent",
      additionalProperties: false,
      properties: {
        location: { type: "string", description: "省，市名，例如：河北省" },
        unit: { type: "string", enum: ["摄氏度", "华氏度"] }
      },
      required: ["location"]
    }
  }
}
