export { awsError } from "./aws-error.ts";
