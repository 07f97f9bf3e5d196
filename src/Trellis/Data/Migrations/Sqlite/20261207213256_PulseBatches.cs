using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PulseBatches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_pulse_answers_plan_id",
                table: "pulse_answers");

            migrationBuilder.AddColumn<int>(
                name: "pulse_answers",
                table: "transition_plans",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "seq",
                table: "pulse_answers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // Answers given before this migration have no recorded order (and were all shown already): they are numbered
            // in id order, and each plan's counter starts after them.
            migrationBuilder.Sql("UPDATE pulse_answers SET seq = (SELECT COUNT(*) FROM pulse_answers AS earlier WHERE earlier.plan_id = pulse_answers.plan_id AND earlier.id <= pulse_answers.id);");
            migrationBuilder.Sql("UPDATE transition_plans SET pulse_answers = (SELECT COUNT(*) FROM pulse_answers AS answers WHERE answers.plan_id = transition_plans.id);");

            migrationBuilder.CreateIndex(
                name: "IX_pulse_answers_plan_id_seq",
                table: "pulse_answers",
                columns: new[] { "plan_id", "seq" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_pulse_answers_plan_id_seq",
                table: "pulse_answers");

            migrationBuilder.DropColumn(
                name: "pulse_answers",
                table: "transition_plans");

            migrationBuilder.DropColumn(
                name: "seq",
                table: "pulse_answers");

            migrationBuilder.CreateIndex(
                name: "IX_pulse_answers_plan_id",
                table: "pulse_answers",
                column: "plan_id");
        }
    }
}
