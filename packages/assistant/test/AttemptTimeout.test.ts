/**
 * The per-attempt timeout on the live clock (one fiber per attempt, a `setTimeout` as timer; other
 * clocks go through `Effect.timeoutFail`, covered by the TestClock tests): an attempt without an answer
 * fails with the typed timeout error after the client's timeout and its request is interrupted; an
 * answer in time is the value, with the fiber refs the attempt set; interrupting the caller interrupts
 * the attempt.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AppBuilderClient from "../src/AppBuilderClient.js"
import { HttpError } from "../src/AppBuilderError.js"
import * as Timeout from "../src/internal/timeout.js"

/** A client whose every request never gets an answer; `interrupted` completes when one is interrupted. */
const silentClient = (interrupted: Deferred.Deferred<void>) =>
  AppBuilderClient.layer({ token: Redacted.make("t"), baseUrl: "http://127.0.0.1:1", timeout: "50 millis" }).pipe(
    Layer.provide(Layer.succeed(
      HttpClient.HttpClient,
      HttpClient.make(() => Effect.onInterrupt(Effect.never, () => Deferred.succeed(interrupted, undefined)))
    ))
  )

describe("per-attempt timeout on the live clock", () => {
  it.live("an attempt without an answer is a typed timeout error, its request interrupted", () =>
    Effect.gen(function*() {
      const interrupted = yield* Deferred.make<void>()
      const error = yield* AppBuilderClient.AppBuilderClient.pipe(
        Effect.flatMap((client) =>
          client.post({ name: "Test.read", idempotent: true }, "/v2/x", {}, Schema.Unknown).pipe(
            AppBuilderClient.withRetry(false)
          )
        ),
        Effect.flip,
        Effect.provide(silentClient(interrupted))
      )
      assert.instanceOf(error, HttpError)
      assert.strictEqual(error.reason, "Timeout")
      assert.include(error.message, "no answer within 50ms")
      assert.isTrue(yield* Deferred.isDone(interrupted))
    }))

  it.live("a call that changes something and times out is OutcomeUnknown", () =>
    Effect.gen(function*() {
      const interrupted = yield* Deferred.make<void>()
      const error = yield* AppBuilderClient.AppBuilderClient.pipe(
        Effect.flatMap((client) =>
          client.post({ name: "Test.create", idempotent: false }, "/v2/x", {}, Schema.Unknown)
        ),
        Effect.flip,
        Effect.provide(silentClient(interrupted))
      )
      assert.strictEqual(error.reason, "OutcomeUnknown")
    }))

  it.live("an answer in time is the value, with the fiber refs the effect set", () =>
    Effect.gen(function*() {
      const ref = FiberRef.unsafeMake(0)
      const value = yield* Timeout.timeoutFail(
        Effect.as(FiberRef.set(ref, 7), "ok"),
        Duration.seconds(10),
        () => "timeout"
      )
      assert.strictEqual(value, "ok")
      assert.strictEqual(yield* FiberRef.get(ref), 7)
      const failed = yield* Effect.flip(Timeout.timeoutFail(Effect.fail("boom"), Duration.seconds(10), () => "timeout"))
      assert.strictEqual(failed, "boom")
    }))

  it.live("interrupting the caller interrupts the effect and waits for it", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const stopped = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(Timeout.timeoutFail(
        Deferred.succeed(started, undefined).pipe(
          Effect.zipRight(Effect.never),
          Effect.onInterrupt(() => Deferred.succeed(stopped, undefined))
        ),
        Duration.seconds(10),
        () => "timeout"
      ))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(yield* Deferred.isDone(stopped))
    }))

  it.live("a duration the live clock cannot schedule is no limit", () =>
    Effect.gen(function*() {
      const value = yield* Timeout.timeoutFail(Effect.succeed(1), Duration.infinity, () => "timeout")
      assert.strictEqual(value, 1)
    }))
})
