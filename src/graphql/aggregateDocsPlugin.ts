// Descriptions for the types @graphile/pg-aggregates generates without one (the
// aggregate container, one type per aggregate, and its `keys` field), so the
// opted-in dashboard tables keep the rule that every type and field is documented.
import type {} from "postgraphile";
import type {} from "@graphile/pg-aggregates";

export const AggregateDocsPlugin: GraphileConfig.Plugin = {
  name: "AggregateDocsPlugin",
  version: "1.0.0",
  schema: {
    hooks: {
      GraphQLObjectType(config, build, context) {
        if (config.description) return config;
        const { isPgAggregateContainerType, isPgAggregateType, pgAggregateSpec, pgTypeResource } = context.scope;
        if (!pgTypeResource || !(isPgAggregateContainerType || isPgAggregateType)) return config;
        const rows = `\`${build.inflection.tableType(pgTypeResource.codec)}\` rows you may read`;
        const description = isPgAggregateContainerType
          ? `Aggregates over the ${rows} (row-level security applies before aggregating); in groupedAggregates, one group.`
          : `${pgAggregateSpec!.HumanLabel} of each aggregated column over the ${rows}.`;
        return { ...config, description };
      },
      GraphQLObjectType_fields_field(field, _build, context) {
        if (field.description || !context.scope.isPgAggregateContainerType || context.scope.fieldName !== "keys") return field;
        return { ...field, description: "In groupedAggregates: this group's values of the groupBy columns, in groupBy order." };
      },
    },
  },
};
