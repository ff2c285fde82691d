import type { CommandSpec } from "../src/cli/command.js";
import find from "./find.js";
import excludeList from "./exclude/list.js";
import excludeAdd from "./exclude/add.js";
import excludeRemove from "./exclude/remove.js";
import paramsGet from "./params/get.js";
import paramsSet from "./params/set.js";
import paramsUnset from "./params/unset.js";
import exemptCreate from "./exempt/create.js";
import exemptList from "./exempt/list.js";
import exemptShow from "./exempt/show.js";
import exemptRenew from "./exempt/renew.js";
import exemptDelete from "./exempt/delete.js";
import exemptApply from "./exempt/apply.js";
import history from "./history.js";
import undo from "./undo.js";
import show from "./show.js";
import check from "./check.js";
import completion from "./completion.js";
import emulator from "./emulator.js";
import demo from "./demo.js";
import effective from "./effective.js";
import safeguardsShow from "./safeguards/show.js";
import safeguardsExclude from "./safeguards/exclude.js";
import workloads from "./workloads.js";
import advise from "./advise.js";
import audit from "./audit.js";
import initiativeUpgrade from "./initiative/upgrade.js";

/**
 * Every command, in help order. Command modules import only types from the Azure SDK at load time,
 * so building this list (for --help) never loads the SDK. Add a new command with one import and one entry.
 */
export const commands: CommandSpec<any>[] = [
  find,
  excludeList,
  excludeAdd,
  excludeRemove,
  paramsGet,
  paramsSet,
  paramsUnset,
  exemptCreate,
  exemptList,
  exemptShow,
  exemptRenew,
  exemptDelete,
  exemptApply,
  initiativeUpgrade,
  history,
  undo,
  show,
  check,
  effective,
  safeguardsShow,
  safeguardsExclude,
  workloads,
  advise,
  audit,
  emulator,
  demo,
  completion,
];
