import { tool } from "@langchain/core/tools";
import { z } from "zod";

const OPERATIONS = {
  "+": (a: number, b: number) => a + b,
  "-": (a: number, b: number) => a - b,
  "*": (a: number, b: number) => a * b,
  "/": (a: number, b: number) => a / b,
} as const;

/** Arithmetic on two numbers: models are notoriously bad at it, so it is the classic first tool. */
export const calculator = tool(
  ({ a, operator, b }) => {
    if (operator === "/" && b === 0) return "Cannot divide by zero.";
    return String(OPERATIONS[operator](a, b));
  },
  {
    name: "calculator",
    description: "Compute `a <operator> b` for two numbers. Use it for any arithmetic.",
    schema: z.object({
      a: z.number().describe("the left operand"),
      operator: z.enum(["+", "-", "*", "/"]),
      b: z.number().describe("the right operand"),
    }),
  },
);

/** A stand-in for a call to a real weather API: it always answers the same, so the project works offline. */
export const getWeather = tool(({ city }) => `It is 21°C and sunny in ${city} (made-up data: plug in a real weather API).`, {
  name: "get_weather",
  description: "Get the current weather in a city.",
  schema: z.object({ city: z.string().describe("the city name, e.g. Paris") }),
});

export const tools = [calculator, getWeather];
