import * as df from "durable-functions";
import { RETRAIN_ORCHESTRATOR, retrainOrchestrator } from "./retrain-orchestrator";
import { ROLLBACK_ORCHESTRATOR, rollbackOrchestrator } from "./rollback-orchestrator";
import { POLL_ORCHESTRATOR, pollJobOrchestrator } from "./poll-orchestrator";
import { FAN_OUT_ORCHESTRATOR, retrainAllOrchestrator } from "./fan-out-orchestrator";
import { NEW_DATA_ORCHESTRATOR, newDataOrchestrator } from "./new-data-orchestrator";
import { NOTIFY_ORCHESTRATOR, notifyOrchestrator } from "./notify-orchestrator";

df.app.orchestration(RETRAIN_ORCHESTRATOR, retrainOrchestrator);
df.app.orchestration(ROLLBACK_ORCHESTRATOR, rollbackOrchestrator);
df.app.orchestration(FAN_OUT_ORCHESTRATOR, retrainAllOrchestrator);
df.app.orchestration(POLL_ORCHESTRATOR, pollJobOrchestrator);
df.app.orchestration(NEW_DATA_ORCHESTRATOR, newDataOrchestrator);
df.app.orchestration(NOTIFY_ORCHESTRATOR, notifyOrchestrator);
