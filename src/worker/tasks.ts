// The worker's task list. Empty for now: aggregation, notifications and
// maintenance jobs arrive with their issues (see README, "Worker").
import type { TaskList } from "graphile-worker";

export const taskList: TaskList = {};
