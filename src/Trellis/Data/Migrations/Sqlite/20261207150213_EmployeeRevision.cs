using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Sqlite
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
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    value = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_employee_revision", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "employee_revision",
                columns: new[] { "id", "value" },
                values: new object[] { 1, 0L });

            // Every write to employees raises the revision in the writing transaction (Data/EmployeeRevision.cs).
            // SQLite has only row triggers; the counter is one row, so a bulk import's cost is one small update per row.
            migrationBuilder.Sql("CREATE TRIGGER employees_revision_insert AFTER INSERT ON employees BEGIN UPDATE employee_revision SET value = value + 1 WHERE id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER employees_revision_update AFTER UPDATE ON employees BEGIN UPDATE employee_revision SET value = value + 1 WHERE id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER employees_revision_delete AFTER DELETE ON employees BEGIN UPDATE employee_revision SET value = value + 1 WHERE id = 1; END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision_delete;");

            migrationBuilder.DropTable(
                name: "employee_revision");
        }
    }
}
