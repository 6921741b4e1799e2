// The independent interpreter for the differential test: runs one ASL
// definition with aws-local-stepfunctions and prints the states entered
// and the outcome. Input on stdin: {definition, input, plan} where plan
// maps a Task state's name to its outcomes in call order (the last
// repeats): "fail:Name" throws that error, anything else is JSON output.
import { createRequire } from 'node:module'

if (!Promise.withResolvers) {
  // Node 20 lacks it; the library needs it.
  Promise.withResolvers = function () {
    let resolve, reject
    const promise = new Promise((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
const require = createRequire(process.env.ASL_NODE_MODULES + '/')
const { StateMachine } = require('aws-local-stepfunctions')

let raw = ''
for await (const chunk of process.stdin) raw += chunk
const { definition, input, plan } = JSON.parse(raw)

const calls = {}
const handlers = {}
const zero = {}
for (const [name, st] of Object.entries(definition.States)) {
  if (st.Type === 'Wait') zero[name] = 0
  if (st.Type !== 'Task') continue
  handlers[name] = (taskInput) => {
    const outs = plan[name] ?? []
    const n = calls[name] ?? 0
    calls[name] = n + 1
    const out = outs[Math.min(n, outs.length - 1)]
    if (out === undefined) throw Object.assign(new Error('no plan'), { name: 'Test.NoPlan' })
    if (out.startsWith('fail:')) throw Object.assign(new Error('scripted'), { name: out.slice(5) })
    return JSON.parse(out)
  }
}
const retries = {}
for (const [name, st] of Object.entries(definition.States)) if (st.Retry) retries[name] = 0

const sm = new StateMachine(definition, { validationOptions: { checkArn: false, checkPaths: false } })
const exec = sm.run(input, {
  overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: zero, retryIntervalOverrides: retries },
  context: { Execution: { Name: 'exec-1' }, Task: { Token: 'oracle-task-token' } },
})
const path = []
const collect = (async () => {
  for await (const ev of exec.eventLogs) if (ev.type === 'StateEntered') path.push(ev.state.name)
})()
let out
try {
  out = { status: 'SUCCEEDED', output: await exec.result }
} catch (e) {
  const cause = e.cause ?? e
  out = { status: 'FAILED', error: cause.name ?? e.name }
}
await collect
console.log(JSON.stringify({ ...out, path }))
