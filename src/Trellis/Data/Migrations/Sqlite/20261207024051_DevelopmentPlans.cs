using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DevelopmentPlans : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "development_plans",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_by_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    behaviors = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    started_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    closed_on = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    closing_note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    feedback_request_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_development_plans", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "development_plan_actions",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    plan_id = table.Column<int>(type: "INTEGER", nullable: false),
                    behavior = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    due_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    done_on = table.Column<DateOnly>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_development_plan_actions", x => x.id);
                    table.ForeignKey(
                        name: "FK_development_plan_actions_development_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "development_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "development_plan_comments",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    plan_id = table.Column<int>(type: "INTEGER", nullable: false),
                    author_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_development_plan_comments", x => x.id);
                    table.ForeignKey(
                        name: "FK_development_plan_comments_development_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "development_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_development_plan_actions_plan_id",
                table: "development_plan_actions",
                column: "plan_id");

            migrationBuilder.CreateIndex(
                name: "IX_development_plan_comments_plan_id",
                table: "development_plan_comments",
                column: "plan_id");

            migrationBuilder.CreateIndex(
                name: "IX_development_plans_employee_id",
                table: "development_plans",
                column: "employee_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "development_plan_actions");

            migrationBuilder.DropTable(
                name: "development_plan_comments");

            migrationBuilder.DropTable(
                name: "development_plans");
        }
    }
}
