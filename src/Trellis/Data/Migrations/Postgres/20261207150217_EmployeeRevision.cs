using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EmployeeRevision : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            // Every write to employees raises the revision in the writing transaction (Data/EmployeeRevision.cs):
            // one statement-level trigger, so a COPY or a 100,000-row upsert raises it once (TRUNCATE included).
            migrationBuilder.Sql("""
                CREATE FUNCTION employee_revision_raise() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE employee_revision SET value = value + 1 WHERE id = 1;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER employees_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON employees
                    FOR EACH STATEMENT EXECUTE FUNCTION employee_revision_raise();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision ON employees;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS employee_revision_raise();");

            migrationBuilder.DropTable(
                name: "employee_revision");
        }
    }
}
