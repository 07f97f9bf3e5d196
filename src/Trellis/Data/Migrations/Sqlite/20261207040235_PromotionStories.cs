using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PromotionStories : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "promotion_stories",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    cycle = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    from_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    to_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    headline = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    behaviors = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    published_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    demo = table.Column<bool>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_promotion_stories", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "promotion_story_quotes",
                columns: table => new
                {
                    story_id = table.Column<int>(type: "INTEGER", nullable: false),
                    recognition_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_promotion_story_quotes", x => new { x.story_id, x.recognition_id });
                    table.ForeignKey(
                        name: "FK_promotion_story_quotes_promotion_stories_story_id",
                        column: x => x.story_id,
                        principalTable: "promotion_stories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "promotion_story_values",
                columns: table => new
                {
                    story_id = table.Column<int>(type: "INTEGER", nullable: false),
                    value = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_promotion_story_values", x => new { x.story_id, x.value });
                    table.ForeignKey(
                        name: "FK_promotion_story_values_promotion_stories_story_id",
                        column: x => x.story_id,
                        principalTable: "promotion_stories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_promotion_stories_cycle_employee_id",
                table: "promotion_stories",
                columns: new[] { "cycle", "employee_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_promotion_stories_employee_id",
                table: "promotion_stories",
                column: "employee_id");

            migrationBuilder.CreateIndex(
                name: "IX_promotion_stories_status_published_at",
                table: "promotion_stories",
                columns: new[] { "status", "published_at" });

            migrationBuilder.CreateIndex(
                name: "IX_promotion_story_values_value",
                table: "promotion_story_values",
                column: "value");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "promotion_story_quotes");

            migrationBuilder.DropTable(
                name: "promotion_story_values");

            migrationBuilder.DropTable(
                name: "promotion_stories");
        }
    }
}
