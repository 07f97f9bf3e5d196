using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Trellis.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TableRevisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The employees-only counter of EmployeeRevision becomes one row of table_revisions.
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision ON employees;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS employee_revision_raise();");

            migrationBuilder.DropTable(
                name: "employee_revision");

            migrationBuilder.CreateTable(
                name: "table_revisions",
                columns: table => new
                {
                    table_name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    value = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_table_revisions", x => x.table_name);
                });

            migrationBuilder.InsertData(
                table: "table_revisions",
                columns: new[] { "table_name", "value" },
                values: new object[,]
                {
                    { "concerns", 0L },
                    { "employees", 0L },
                    { "promotion_stories", 0L },
                    { "promotions", 0L },
                    { "recognitions", 0L },
                    { "results", 0L },
                    { "track_returns", 0L }
                });

            // Every write to a counted table raises its row in the writing transaction (Data/TableRevisions.cs): one
            // statement-level trigger per table, so a COPY or a 100,000-row upsert raises it once (TRUNCATE included).
            migrationBuilder.Sql("""
                CREATE FUNCTION table_revision_raise() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE table_revisions SET value = value + 1 WHERE table_name = TG_TABLE_NAME;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("CREATE TRIGGER employees_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON employees FOR EACH STATEMENT EXECUTE FUNCTION table_revision_raise();");
            migrationBuilder.Sql("CREATE TRIGGER promotions_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON promotions FOR EACH STATEMENT EXECUTE FUNCTION table_revision_raise();");
            migrationBuilder.Sql("CREATE TRIGGER results_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON results FOR EACH STATEMENT EXECUTE FUNCTION table_revision_raise();");
            migrationBuilder.Sql("CREATE TRIGGER recognitions_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON recognitions FOR EACH STATEMENT EXECUTE FUNCTION table_revision_raise();");
            migrationBuilder.Sql("CREATE TRIGGER concerns_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON concerns FOR EACH STATEMENT EXECUTE FUNCTION table_revision_raise();");
            migrationBuilder.Sql("CREATE TRIGGER promotion_stories_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON promotion_stories FOR EACH STATEMENT EXECUTE FUNCTION table_revision_raise();");
            migrationBuilder.Sql("CREATE TRIGGER track_returns_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON track_returns FOR EACH STATEMENT EXECUTE FUNCTION table_revision_raise();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision ON employees;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS promotions_revision ON promotions;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS results_revision ON results;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS recognitions_revision ON recognitions;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS concerns_revision ON concerns;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS promotion_stories_revision ON promotion_stories;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS track_returns_revision ON track_returns;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS table_revision_raise();");

            migrationBuilder.DropTable(
                name: "table_revisions");

            migrationBuilder.CreateTable(
                name: "employee_revision",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    value = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_employee_revision", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "employee_revision",
                columns: new[] { "id", "value" },
                values: new object[] { 1, 0L });

            migrationBuilder.Sql("""
                CREATE FUNCTION employee_revision_raise() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE employee_revision SET value = value + 1 WHERE id = 1;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("CREATE TRIGGER employees_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON employees FOR EACH STATEMENT EXECUTE FUNCTION employee_revision_raise();");
        }
    }
}
