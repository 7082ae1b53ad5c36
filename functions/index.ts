// The Functions app's entry point: importing each module registers its functions.
import "./orchestrators/register";
import "./activities/register";
import "./triggers/register";
import "./triggers/new-data";
import "./triggers/runs";
import "./triggers/endpoints";
import "./triggers/rollback";
import "./triggers/uploads";
import "./triggers/openapi";
import "./console/register";
import "./console/confirm";
