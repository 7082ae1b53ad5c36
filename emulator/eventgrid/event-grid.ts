import { randomUUID } from "node:crypto";

/** An event in the Event Grid schema, as Event Grid delivers it to a webhook. */
export interface EventGridEvent {
  readonly id: string;
  readonly topic: string;
  readonly subject: string;
  readonly eventType: string;
  readonly eventTime: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly dataVersion: string;
  readonly metadataVersion: string;
}

export interface Subscription {
  readonly name: string;
  /** The webhook, key included (Azure keeps it in the subscription's destination). */
  readonly endpoint: string;
  readonly includedEventTypes?: readonly string[];
  readonly subjectBeginsWith?: string;
  /** Azure's default: 30 attempts. */
  readonly maxDeliveryAttempts?: number;
}

/** One attempt to deliver one event to one subscription, as a test or a log reads it. */
export interface Delivery {
  readonly subscription: string;
  readonly eventId: string;
  readonly subject: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly status: number | "unreachable";
  readonly at: number;
}

/**
 * Azure's delays before each retry of a failed delivery (10 s, 30 s, 1 min, 5 min, 10 min, 30
 * min, 1 h, then hourly up to 24 h), without the jitter it adds.
 */
export const AZURE_RETRY_DELAYS_IN_MS: readonly number[] = [10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000];
const HOUR_IN_MS = 3_600_000;
const EVENT_TIME_TO_LIVE_IN_MS = 24 * HOUR_IN_MS;
/** Answers Event Grid does not retry: the event is dropped (dead-lettered, where one is set). */
const NOT_RETRIED = new Set([400, 413]);

export interface EventGridOptions {
  /** Delays before retries, the last one repeated; Azure's by default (tests pass shorter ones). */
  readonly retryDelaysInMs?: readonly number[];
  readonly log?: (line: string) => void;
}

/**
 * The part of Event Grid a storage account's system topic needs locally: webhook subscriptions
 * filtered by event type and subject prefix, each validated by the handshake Event Grid does
 * when a subscription is created, and push delivery of each event (a batch of one, Azure's
 * default) with Event Grid's headers, retried on failure on Azure's schedule until its attempts
 * or its 24-hour time to live run out. Delivery is at least once, as in Azure.
 */
export class LocalEventGrid {
  private readonly subscriptions: Subscription[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  readonly deliveries: Delivery[] = [];
  private stopped = false;

  constructor(private readonly o: EventGridOptions = {}) {}

  /** Adds a webhook subscription once its endpoint answers the validation handshake with the code. */
  async subscribe(s: Subscription): Promise<void> {
    const code = randomUUID();
    const validation = [{
      id: randomUUID(), topic: "", subject: "", eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", eventTime: new Date().toISOString(),
      data: { validationCode: code, validationUrl: `https://rp-local.eventgrid.azure.net/eventsubscriptions/${s.name}/validate?id=${code}` },
      dataVersion: "2", metadataVersion: "1",
    }];
    const res = await fetch(s.endpoint, { method: "POST", headers: { "Content-Type": "application/json", "aeg-event-type": "SubscriptionValidation", "aeg-subscription-name": s.name.toUpperCase() }, body: JSON.stringify(validation) });
    const text = await res.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (res.status !== 200 || (answer as { validationResponse?: unknown } | undefined)?.validationResponse !== code) {
      throw new Error(`Event subscription ${s.name}: the endpoint did not validate (HTTP ${res.status}: ${text.slice(0, 200)}).`);
    }
    this.subscriptions.push(s);
    this.o.log?.(`event subscription ${s.name} validated`);
  }

  /** Delivers the event to every subscription it matches; returns at once (delivery is asynchronous). */
  publish(event: EventGridEvent): void {
    if (this.stopped) return;
    for (const s of this.subscriptions) {
      if (s.includedEventTypes && !s.includedEventTypes.includes(event.eventType)) continue;
      if (s.subjectBeginsWith && !event.subject.startsWith(s.subjectBeginsWith)) continue;
      this.attempt(s, event, 1, Date.now());
    }
  }

  /** Resolves once nothing is being delivered right now (retries still waiting are not waited for). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private attempt(s: Subscription, event: EventGridEvent, attempt: number, firstAt: number): void {
    const p = this.deliver(s, event, attempt, firstAt).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async deliver(s: Subscription, event: EventGridEvent, attempt: number, firstAt: number): Promise<void> {
    let status: number | "unreachable";
    try {
      const res = await fetch(s.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json", "aeg-event-type": "Notification", "aeg-subscription-name": s.name.toUpperCase(),
          "aeg-delivery-count": String(attempt - 1), "aeg-data-version": event.dataVersion, "aeg-metadata-version": event.metadataVersion,
        },
        body: JSON.stringify([event]),
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = "unreachable";
    }
    this.deliveries.push({ subscription: s.name, eventId: event.id, subject: event.subject, attempt, status, at: Date.now() });
    if (typeof status === "number" && status >= 200 && status < 300) return;
    const delays = this.o.retryDelaysInMs ?? AZURE_RETRY_DELAYS_IN_MS;
    const delay = delays[Math.min(attempt - 1, delays.length - 1)] ?? HOUR_IN_MS;
    if ((typeof status === "number" && NOT_RETRIED.has(status)) || attempt >= (s.maxDeliveryAttempts ?? 30) || Date.now() + delay - firstAt > EVENT_TIME_TO_LIVE_IN_MS || this.stopped) {
      this.o.log?.(`event ${event.id} to ${s.name}: dropped after attempt ${attempt} (${status})`);
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) this.attempt(s, event, attempt + 1, firstAt);
    }, delay);
    this.timers.add(t);
  }
}
