// One burst of form POSTs with Node's built-in fetch, for benchmarks/send_burst.py.
// Usage: node burst_fetch.mjs URL COUNT cold|warm
// "warm" opens the connections first with as many /ping requests at once (fetch keeps them
// alive). Prints {"makespan": seconds, "cpu": seconds of this process during the burst}.
const [base, countText, mode] = process.argv.slice(2);
const count = Number(countText);
const form = "id=4242&day=20261130&insist=0&familyId=";

async function burst(path, post) {
  const asked = [];
  for (let i = 0; i < count; i += 1) {
    const init = post
      ? {
          method: "POST",
          body: form,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            cookie: `amhrdrauth=athlete${i}`,
          },
        }
      : {};
    asked.push(fetch(base + path, init).then((answer) => answer.json()));
  }
  await Promise.all(asked);
}

// Node loads fetch's machinery on the first call: a data: URL does that without a connection.
await fetch("data:,");
if (mode === "warm") {
  await burst("/ping", false);
}
const cpuBefore = process.cpuUsage();
const started = performance.now();
await burst("/api/book?box=7", true);
const makespan = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ makespan, cpu: (cpu.user + cpu.system) / 1e6 }));
