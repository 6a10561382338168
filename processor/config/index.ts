/** Configuration: defaults, loading (file, env, flags), validation, the hashed effective config. */
export { DEFAULT_CONFIG, DEFAULT_TOPIC_NAMES, OPTIONAL_TOPIC_DEFAULTS, actuatorStateTopic, resultsTopic } from './defaults.js';
export {
  buildEffectiveConfig,
  configSnapshot,
  coreConfigOf,
  deepMerge,
  effectiveFromSnapshot,
  expandDotted,
  mergeConfig,
  policySha256,
  validateConfig,
  SECRET_PREFIX,
} from './model.js';
export { BROKER_RULE, BROKERS_OPTION_DESCRIBE, brokersFromEnvironment, parseBrokers, resolveBrokers, type BrokerSources } from './brokers.js';
export { configFromEnv, loadEffectiveConfig, readConfigFile, type LoadOptions } from './load.js';
export type { EffectiveConfig, ExoArmurConfig, InputSpec, Topics, BrokerAuth } from './types.js';
export type { CoreConfig, OperatorRegistry, Policy } from '../core/config-types.js';
export { extraTelemetryTopics, inputTopics, type InputTopic } from './inputs.js';
