import { defineSpec } from '../../machines/graph.ts';

/**
 * Scaling out: a balancer spreads one browser's requests over two nodes round robin. Without shared
 * state an event published on one node never reaches a subscriber on the other; with one Redis behind
 * every node (the backplane) it does, and a client that loses its node resumes on the other with
 * `since=` from the shared history. Two steps weigh the alternatives (nodes that share nothing, sticky
 * sessions) before the backplane delivers; the learner picks whether node a leaves gracefully (1001) or
 * crashes (1006).
 */
export default defineSpec('scaling-out', {
  subscribe: { next: 'connection-cost' }, // GET /ws/stream through the balancer, to node a
  'connection-cost': { next: 'publish' }, // memory and file descriptors per connection
  publish: { next: 'alone' }, // POST /api/stream/publish: round robin sends it to node b
  alone: { next: 'sticky' }, // what if node b kept the event to itself: node a's subscriber never hears
  sticky: { next: 'backplane' }, // what if each client were pinned to one node: until that node goes
  backplane: { next: 'deliver' }, // node b: INCR, XADD, PUBLISH in Redis
  deliver: { next: 'fan-out' }, // Redis to every node; node a to its subscriber
  'fan-out': {
    // one publish, one message per subscriber on every node
    next: 'deploy',
    choices: { deploy: 'deploy', crash: 'crash' },
  },
  deploy: { next: 'reconnect' }, // node a leaves: close 1001 Going Away
  crash: { next: 'reconnect' }, // node a dies: no close frame, the browser sees 1006
  reconnect: { next: 'resume' }, // after a random wait, since=1, to node b
  resume: { next: 'summary' }, // node b resends event 2 from the shared history
  summary: {},
});
