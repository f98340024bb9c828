import { registry } from "@web/core/registry";
import { assertStep, screenshot, textOf } from "./client_balance_tour_utils";
