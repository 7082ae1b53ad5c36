import * as df from "durable-functions";
import { RETRAIN_ORCHESTRATOR, retrainOrchestrator } from "./retrain-orchestrator";

df.app.orchestration(RETRAIN_ORCHESTRATOR, retrainOrchestrator);
