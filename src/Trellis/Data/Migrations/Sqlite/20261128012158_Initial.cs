using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "accounts",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    password_hash = table.Column<string>(type: "TEXT", nullable: false),
                    roles = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    failed_sign_ins = table.Column<int>(type: "INTEGER", nullable: false),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_sign_in_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_accounts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor_employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    subject_employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    detail = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "concerns",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    category = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    substantiated = table.Column<bool>(type: "INTEGER", nullable: false),
                    recorded_on = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_concerns", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "cycles",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    opens_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    closes_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    response_deadline = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    budget = table.Column<int>(type: "INTEGER", nullable: false),
                    eligible_levels = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    phase = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    published_on = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    revision = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cycles", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "employees",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    manager_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    department = table.Column<string>(type: "TEXT", nullable: true),
                    location = table.Column<string>(type: "TEXT", nullable: true),
                    title = table.Column<string>(type: "TEXT", nullable: true),
                    track = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    hire_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    level_since = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    gender = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_employees", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_requests",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    subject_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    requested_by_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    behaviors = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    withdrawn_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_requests", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "framework_versions",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    label = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    json = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    note = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_framework_versions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    link = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    read_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notifications", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "observations",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    subject_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    rater_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    relationship = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    behavior = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    rating = table.Column<int>(type: "INTEGER", nullable: false),
                    observed_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    comment = table.Column<string>(type: "TEXT", nullable: true),
                    visibility = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_observations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "promotions",
                columns: table => new
                {
                    cycle = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    decided_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    from_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    to_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_promotions", x => new { x.cycle, x.employee_id });
                });

            migrationBuilder.CreateTable(
                name: "recognitions",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    from_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    to_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    value = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    behavior = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    message = table.Column<string>(type: "TEXT", nullable: true),
                    given_on = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_recognitions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "results",
                columns: table => new
                {
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    period = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    period_end = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    score = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_results", x => new { x.employee_id, x.period });
                });

            migrationBuilder.CreateTable(
                name: "track_returns",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    from_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    to_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    requested_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    decided_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    decided_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    effective_on = table.Column<DateOnly>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_track_returns", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "transition_plans",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    manager_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    cycle = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    starts_on = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_transition_plans", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<int>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_used_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_tokens", x => x.id);
                    table.ForeignKey(
                        name: "FK_api_tokens_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cycle_committee",
                columns: table => new
                {
                    cycle_id = table.Column<int>(type: "INTEGER", nullable: false),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cycle_committee", x => new { x.cycle_id, x.employee_id });
                    table.ForeignKey(
                        name: "FK_cycle_committee_cycles_cycle_id",
                        column: x => x.cycle_id,
                        principalTable: "cycles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "nominations",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    cycle_id = table.Column<int>(type: "INTEGER", nullable: false),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    from_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    target_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    rationale = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    nominated_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    nominated_as = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    suggested = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    choice = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    choice_note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    responded_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    decision = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    decision_rationale = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    decided_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    decided_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    decided_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    published_outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    published_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_nominations", x => x.id);
                    table.ForeignKey(
                        name: "FK_nominations_cycles_cycle_id",
                        column: x => x.cycle_id,
                        principalTable: "cycles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "feedback_request_raters",
                columns: table => new
                {
                    request_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    rater_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    answered_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    observation_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_request_raters", x => new { x.request_id, x.rater_id });
                    table.ForeignKey(
                        name: "FK_feedback_request_raters_feedback_requests_request_id",
                        column: x => x.request_id,
                        principalTable: "feedback_requests",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pulse_answers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    plan_id = table.Column<int>(type: "INTEGER", nullable: false),
                    clarity = table.Column<int>(type: "INTEGER", nullable: false),
                    safety = table.Column<int>(type: "INTEGER", nullable: false),
                    growth = table.Column<int>(type: "INTEGER", nullable: false),
                    comment = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pulse_answers", x => x.id);
                    table.ForeignKey(
                        name: "FK_pulse_answers_transition_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "transition_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pulse_participation",
                columns: table => new
                {
                    plan_id = table.Column<int>(type: "INTEGER", nullable: false),
                    employee_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pulse_participation", x => new { x.plan_id, x.employee_id });
                    table.ForeignKey(
                        name: "FK_pulse_participation_transition_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "transition_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "transition_check_ins",
                columns: table => new
                {
                    plan_id = table.Column<int>(type: "INTEGER", nullable: false),
                    day = table.Column<int>(type: "INTEGER", nullable: false),
                    due_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    completed_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_transition_check_ins", x => new { x.plan_id, x.day });
                    table.ForeignKey(
                        name: "FK_transition_check_ins_transition_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "transition_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "nomination_decisions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    nomination_id = table.Column<int>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    rationale = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    decided_level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    decided_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    decided_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_nomination_decisions", x => x.id);
                    table.ForeignKey(
                        name: "FK_nomination_decisions_nominations_nomination_id",
                        column: x => x.nomination_id,
                        principalTable: "nominations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "reflection_notes",
                columns: table => new
                {
                    nomination_id = table.Column<int>(type: "INTEGER", nullable: false),
                    question = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reflection_notes", x => new { x.nomination_id, x.question });
                    table.ForeignKey(
                        name: "FK_reflection_notes_nominations_nomination_id",
                        column: x => x.nomination_id,
                        principalTable: "nominations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_accounts_employee_id",
                table: "accounts",
                column: "employee_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_api_tokens_account_id",
                table: "api_tokens",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "IX_api_tokens_hash",
                table: "api_tokens",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_at",
                table: "audit_log",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_subject_employee_id",
                table: "audit_log",
                column: "subject_employee_id");

            migrationBuilder.CreateIndex(
                name: "IX_concerns_employee_id",
                table: "concerns",
                column: "employee_id");

            migrationBuilder.CreateIndex(
                name: "IX_cycles_name",
                table: "cycles",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_employees_department",
                table: "employees",
                column: "department");

            migrationBuilder.CreateIndex(
                name: "IX_employees_level",
                table: "employees",
                column: "level");

            migrationBuilder.CreateIndex(
                name: "IX_employees_manager_id",
                table: "employees",
                column: "manager_id");

            migrationBuilder.CreateIndex(
                name: "IX_employees_name",
                table: "employees",
                column: "name");

            migrationBuilder.CreateIndex(
                name: "IX_employees_status_name_id",
                table: "employees",
                columns: new[] { "status", "name", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_request_raters_rater_id",
                table: "feedback_request_raters",
                column: "rater_id");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_requests_requested_by_id",
                table: "feedback_requests",
                column: "requested_by_id");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_requests_subject_id",
                table: "feedback_requests",
                column: "subject_id");

            migrationBuilder.CreateIndex(
                name: "IX_nomination_decisions_nomination_id",
                table: "nomination_decisions",
                column: "nomination_id");

            migrationBuilder.CreateIndex(
                name: "IX_nominations_cycle_id_employee_id",
                table: "nominations",
                columns: new[] { "cycle_id", "employee_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_nominations_employee_id",
                table: "nominations",
                column: "employee_id");

            migrationBuilder.CreateIndex(
                name: "IX_notifications_employee_id_read_at",
                table: "notifications",
                columns: new[] { "employee_id", "read_at" });

            migrationBuilder.CreateIndex(
                name: "IX_observations_rater_id",
                table: "observations",
                column: "rater_id");

            migrationBuilder.CreateIndex(
                name: "IX_observations_subject_id_behavior",
                table: "observations",
                columns: new[] { "subject_id", "behavior" });

            migrationBuilder.CreateIndex(
                name: "IX_promotions_employee_id",
                table: "promotions",
                column: "employee_id");

            migrationBuilder.CreateIndex(
                name: "IX_pulse_answers_plan_id",
                table: "pulse_answers",
                column: "plan_id");

            migrationBuilder.CreateIndex(
                name: "IX_recognitions_given_on",
                table: "recognitions",
                column: "given_on");

            migrationBuilder.CreateIndex(
                name: "IX_recognitions_to_id",
                table: "recognitions",
                column: "to_id");

            migrationBuilder.CreateIndex(
                name: "IX_track_returns_employee_id",
                table: "track_returns",
                column: "employee_id");

            migrationBuilder.CreateIndex(
                name: "IX_transition_plans_employee_id",
                table: "transition_plans",
                column: "employee_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "concerns");

            migrationBuilder.DropTable(
                name: "cycle_committee");

            migrationBuilder.DropTable(
                name: "employees");

            migrationBuilder.DropTable(
                name: "feedback_request_raters");

            migrationBuilder.DropTable(
                name: "framework_versions");

            migrationBuilder.DropTable(
                name: "nomination_decisions");

            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropTable(
                name: "observations");

            migrationBuilder.DropTable(
                name: "promotions");

            migrationBuilder.DropTable(
                name: "pulse_answers");

            migrationBuilder.DropTable(
                name: "pulse_participation");

            migrationBuilder.DropTable(
                name: "recognitions");

            migrationBuilder.DropTable(
                name: "reflection_notes");

            migrationBuilder.DropTable(
                name: "results");

            migrationBuilder.DropTable(
                name: "track_returns");

            migrationBuilder.DropTable(
                name: "transition_check_ins");

            migrationBuilder.DropTable(
                name: "accounts");

            migrationBuilder.DropTable(
                name: "feedback_requests");

            migrationBuilder.DropTable(
                name: "nominations");

            migrationBuilder.DropTable(
                name: "transition_plans");

            migrationBuilder.DropTable(
                name: "cycles");
        }
    }
}
