using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Trellis.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TableRevisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The employees-only counter of EmployeeRevision becomes one row of table_revisions.
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision_delete;");

            migrationBuilder.DropTable(
                name: "employee_revision");

            migrationBuilder.CreateTable(
                name: "table_revisions",
                columns: table => new
                {
                    table_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    value = table.Column<long>(type: "INTEGER", nullable: false)
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

            // Every write to a counted table raises its row in the writing transaction (Data/TableRevisions.cs). SQLite has
            // only row triggers: a bulk import costs one small update of the same row per row written.
            migrationBuilder.Sql("CREATE TRIGGER employees_revision_insert AFTER INSERT ON employees BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'employees'; END;");
            migrationBuilder.Sql("CREATE TRIGGER employees_revision_update AFTER UPDATE ON employees BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'employees'; END;");
            migrationBuilder.Sql("CREATE TRIGGER employees_revision_delete AFTER DELETE ON employees BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'employees'; END;");
            migrationBuilder.Sql("CREATE TRIGGER promotions_revision_insert AFTER INSERT ON promotions BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'promotions'; END;");
            migrationBuilder.Sql("CREATE TRIGGER promotions_revision_update AFTER UPDATE ON promotions BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'promotions'; END;");
            migrationBuilder.Sql("CREATE TRIGGER promotions_revision_delete AFTER DELETE ON promotions BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'promotions'; END;");
            migrationBuilder.Sql("CREATE TRIGGER results_revision_insert AFTER INSERT ON results BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'results'; END;");
            migrationBuilder.Sql("CREATE TRIGGER results_revision_update AFTER UPDATE ON results BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'results'; END;");
            migrationBuilder.Sql("CREATE TRIGGER results_revision_delete AFTER DELETE ON results BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'results'; END;");
            migrationBuilder.Sql("CREATE TRIGGER recognitions_revision_insert AFTER INSERT ON recognitions BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'recognitions'; END;");
            migrationBuilder.Sql("CREATE TRIGGER recognitions_revision_update AFTER UPDATE ON recognitions BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'recognitions'; END;");
            migrationBuilder.Sql("CREATE TRIGGER recognitions_revision_delete AFTER DELETE ON recognitions BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'recognitions'; END;");
            migrationBuilder.Sql("CREATE TRIGGER concerns_revision_insert AFTER INSERT ON concerns BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'concerns'; END;");
            migrationBuilder.Sql("CREATE TRIGGER concerns_revision_update AFTER UPDATE ON concerns BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'concerns'; END;");
            migrationBuilder.Sql("CREATE TRIGGER concerns_revision_delete AFTER DELETE ON concerns BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'concerns'; END;");
            migrationBuilder.Sql("CREATE TRIGGER promotion_stories_revision_insert AFTER INSERT ON promotion_stories BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'promotion_stories'; END;");
            migrationBuilder.Sql("CREATE TRIGGER promotion_stories_revision_update AFTER UPDATE ON promotion_stories BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'promotion_stories'; END;");
            migrationBuilder.Sql("CREATE TRIGGER promotion_stories_revision_delete AFTER DELETE ON promotion_stories BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'promotion_stories'; END;");
            migrationBuilder.Sql("CREATE TRIGGER track_returns_revision_insert AFTER INSERT ON track_returns BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'track_returns'; END;");
            migrationBuilder.Sql("CREATE TRIGGER track_returns_revision_update AFTER UPDATE ON track_returns BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'track_returns'; END;");
            migrationBuilder.Sql("CREATE TRIGGER track_returns_revision_delete AFTER DELETE ON track_returns BEGIN UPDATE table_revisions SET value = value + 1 WHERE table_name = 'track_returns'; END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employees_revision_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS promotions_revision_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS promotions_revision_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS promotions_revision_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS results_revision_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS results_revision_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS results_revision_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS recognitions_revision_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS recognitions_revision_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS recognitions_revision_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS concerns_revision_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS concerns_revision_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS concerns_revision_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS promotion_stories_revision_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS promotion_stories_revision_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS promotion_stories_revision_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS track_returns_revision_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS track_returns_revision_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS track_returns_revision_delete;");

            migrationBuilder.DropTable(
                name: "table_revisions");

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

            migrationBuilder.Sql("CREATE TRIGGER employees_revision_insert AFTER INSERT ON employees BEGIN UPDATE employee_revision SET value = value + 1 WHERE id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER employees_revision_update AFTER UPDATE ON employees BEGIN UPDATE employee_revision SET value = value + 1 WHERE id = 1; END;");
            migrationBuilder.Sql("CREATE TRIGGER employees_revision_delete AFTER DELETE ON employees BEGIN UPDATE employee_revision SET value = value + 1 WHERE id = 1; END;");
        }
    }
}
