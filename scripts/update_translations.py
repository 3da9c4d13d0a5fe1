"""Regenerate the English translation: lupdate over commandcenter/ui, the labels table (which lupdate cannot see:
its strings are looked up through a variable), English filled in from EN below, then lrelease.

    .venv/bin/python scripts/update_translations.py

Chinese (zh_CN) is the source language. A string without an English entry here stays unfinished, and
tests/ui/test_i18n.py fails until someone adds it (to EN, or in Qt Linguist: the .ts is the record).
"""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "commandcenter" / "ui" / "assets" / "i18n"
TS = I18N / "commandcenter_en.ts"
QM = I18N / "commandcenter_en.qm"
BIN = Path(sys.executable).parent

# Source text → English. Context-specific overrides go in EN_IN_CONTEXT.
EN: dict[str, str] = {
    # ---- labels (domain values)
    "上报": "Reported", "受理": "Accepted", "派遣": "Dispatched", "处置": "Handling", "办结": "Closed",
    "已回访": "Followed up", "一般": "General", "较大": "Larger", "重大": "Major", "特别重大": "Most severe",
    "矛盾纠纷": "Dispute", "安全隐患": "Safety hazard", "市政设施": "Utilities", "环境卫生": "Sanitation",
    "火灾": "Fire", "防汛": "Flood", "森林防火": "Forest fire", "渔船管控": "Fishing vessels",
    "治安": "Public security", "信访": "Petition", "一老一小": "Elderly & children", "其他": "Other",
    "网格通": "Grid app", "随手拍": "Citizen photo", "12345热线": "12345 hotline", "来电来访": "Calls & visits",
    "物联感知": "IoT sensor", "视频智能": "Video AI", "110分流": "Diverted 110", "Open311": "Open311",
    "演练脚本": "Drill script", "蓝色": "Blue", "黄色": "Yellow", "橙色": "Orange", "红色": "Red",
    "气象": "Weather", "汛情": "Flood", "森林火险": "Forest fire risk", "视频分析": "Video analytics",
    "弱信号": "Weak signal", "超时督办": "Overdue", "队伍": "Team", "车辆": "Vehicle", "物资": "Supplies",
    "值守人员": "Duty staff", "待命": "Available", "已派出": "Dispatched", "在现场": "On scene", "停用": "Out of service",
    "网格": "Grid", "社区": "Community", "街道": "Street", "区县及以上": "District or higher", "正常": "OK",
    "延迟": "Lagging", "数据过期": "Stale", "中断": "Down", "临期": "Due soon", "超时": "Overdue",
    "已完成": "Done", "响应": "Response", "到场": "Arrival", "初情研判": "Initial assessment", "初判": "Assessment", "完成": "Done",
    "演练": "Drill",
    # ---- the three kinds of signal (预警 public warning, 告警 device alarm, 督办 supervision)
    "告警": "Alarm", "督办": "Supervision",
    "蓝色预警": "Blue warning", "黄色预警": "Yellow warning", "橙色预警": "Orange warning", "红色预警": "Red warning",
    "Ⅳ级告警": "Level IV alarm", "Ⅲ级告警": "Level III alarm", "Ⅱ级告警": "Level II alarm", "Ⅰ级告警": "Level I alarm",
    "蓝色督办": "Blue supervision", "黄色督办": "Yellow supervision", "红色督办": "Red supervision",
    "设备告警": "Device alarms", "督办事项": "Supervision of overdue work", "督办等级": "Grade",
    "督办时间": "Since", "发生": "At", "‖ 搁置至 {time}": "‖ shelved until {time}", "✓ 已确认": "✓ acknowledged",
    "● 未确认": "● unacknowledged", "⇪ 已升级": "⇪ escalated", "未确认 {n}": "unacknowledged {n}",
    "➤ 处置指引（{title}）：{text}": "➤ Guidance ({title}): {text}",
    "事件详情": "Incident details", "预警详情": "Public warning details", "告警详情": "Alarm details",
    "督办详情": "Supervision details", "网格详情": "Grid details", "资源详情": "Resource details",
    "指标详情": "Indicator details", "详情": "Details", "事件数": "Events", "处置率": "Disposal rate",
    "办结率": "Completion rate", "闭环管理率": "Closed-loop management rate", "现场化解率": "On-the-spot resolution rate",
    "1-10-20达标率": "1-10-20 compliance", "平均受理时长": "Average acceptance time",
    "平均到场时长": "Average arrival time", "群众满意率": "Satisfaction rate", "各类别事件数": "Events per category",
    "各网格事件数": "Events per grid", "回访": "Follow-up visit", "操作": "Action", "未知网格": "Unknown grid",
    "此信号已不在实时数据中": "This signal is no longer in the live data",
    "{d} 天": "{d} days", "{h} 小时": "{h} h",
    "{name}（{parent}）": "{name} ({parent})", "驻地": "At base", "⚠ 低于阈值": "⚠ below threshold",
    "{low}：{n} 项（{names}）": "{low}: {n} ({names})", "‖ 暂停": "‖ paused",
    "计时 {elapsed} / {target}": "running {elapsed} / {target}", "响应 (1)": "Response (1)",
    "到场 (10)": "On scene (10)", "初情研判 (20)": "Initial assessment (20)", "派遣资源": "Resources dispatched",
    "演练 · 实时评分": "Drill · live scoring", "预警/告警/督办": "Warning / alarm / supervision",
    "预警 · 告警 · 督办": "Warnings · alarms · supervision", "推送选中信号到大屏": "Push the selected signal to the wall",
    "预警、告警、督办列表": "Warnings, alarms and supervision list",
    "推送选中的事件或信号到大屏": "Push the selected incident or signal to the wall",
    "确认选中的信号": "Acknowledge the selected signal", "搁置选中的信号": "Shelve the selected signal",
    "升级选中的信号": "Escalate the selected signal",
    "请先选择一条预警、告警或督办": "Select a warning, alarm or supervision notice first",
    "已确认 {id}": "Acknowledged: {id}", "已搁置 {id}": "Shelved: {id}", "已升级 {id}": "Escalated: {id}",
    "（已不在实时数据中）": "(no longer in the live data)",
    "{left}（截止 {due}）": "{left} (due {due})", "总览": "Overview", "数据存储": "Store", "打开": "Open", "取消": "Cancel",
    "网格名称或编号（逗号分隔）": "Grid names or IDs (comma-separated)", "在办事件（{n}）": "Open incidents ({n})",
    "相关记录（{n}）": "Related records ({n})", "{name}：{value}": "{name}: {value}",
    # ---- wall, pages, tiles
    "值班：{names}": "On duty: {names}", "图块不可用：{kind}": "Tile not available: {kind}",
    "最后更新": "last update", "事件实时动态": "Live incidents", "在办及近两小时办结：%n 件": "Open or closed in the last 2 h: %n",
    "另有 {n} 起突发事件未显示 · 点此查看": "Emergencies not shown: {n} · tap to list them",
    "只看突发事件 · 另有 {n} 起未显示 · 点此返回全部": "Emergencies only · {n} more not shown · tap for all incidents",
    "只看突发事件 · 点此返回全部": "Emergencies only · tap for all incidents",
    "预警信息": "Public warnings", "运行指标": "KPIs", "每小时事件数  ━ 今日  ┅ 昨日": "Events per hour  ━ today  ┅ yesterday",
    "办结率（当日累计，%）": "Completion rate (today, cumulative, %)", "化解层级占比": "Resolution level share",
    "类别排行": "Top categories", "网格排行（前8）": "Top grids (8)", "全域": "Whole territory", "网格地图": "Grid map",
    "应急资源": "Emergency resources", "演练功能未启用": "Drills are not enabled", "当前无演练": "No drill running",
    "进行中": "Running", "已结束": "Finished", "回到实时": "Back to live", "实时": "Live",
    # ---- details (issue 6)
    "读取中…": "Loading…", "实时数据中没有此事件，正在查询…": "Not in the live data; querying the store…",
    "指标": "Indicator", "分项": "Breakdown", "已读取存储": "Read from the store", "✓ 已完整": "✓ Complete",
    "照片": "Photos", "打开原图": "Open original", "时限": "Deadline", "编号": "ID", "状态": "Status",
    "级别": "Level", "类别": "Category", "来源": "Source", "上报人": "Reporter", "网格员": "Grid worker",
    "处置人": "Handler", "涉及部门": "Departments", "上报时间": "Reported at", "描述": "Description",
    "处置时间线": "Timeline", "位置": "Location", "此预警已不在实时数据中": "This warning is no longer in the live data",
    "类型": "Type", "生效中": "In force", "已失效": "No longer in force", "发布": "Issued", "有效至": "Valid until",
    "区域": "Area", "发布单位": "Issued by", "内容": "Content", "处置指引": "Guidance", "涉及网格": "Grids",
    "关联": "Related", "处置记录": "Operator actions", "此资源不在实时数据中": "This resource is not in the live data",
    "数量/阈值": "Quantity / threshold", "电话": "Phone", "更新": "Updated", "所属": "Belongs to",
    "网格长": "Grid head", "户数": "Households", "今日指标": "Today's KPIs", "数值": "Value",
    "统计时段": "Period", "✕ 关闭": "✕ Close", "打开链接": "Open link",
    "在浏览器中打开以下链接？": "Open this link in the browser?",
    "{title}（演示附加事件 +{rate}/秒）": "{title} (demo: +{rate} extra events/s)",
    # ---- console
    "操作台 · {title}": "Operator console · {title}", "事件检索": "Incident search",
    "编号或标题关键字": "ID or words of the title", "网格编号（逗号分隔）": "Grid IDs (comma-separated)",
    "全部类别": "All categories", "检索": "Search", "推送事件到大屏": "Push incident to the wall",
    "推送网格到大屏": "Push grid to the wall", "按编号推送": "Push by ID", "事件": "Incident", "预警": "Warning",
    "资源": "Resource", "推送": "Push", "确认": "Acknowledge", "搁置": "Shelve", " 分钟": " min",
    "升级": "Escalate", "推送预警到大屏": "Push warning to the wall", "大屏控制": "Wall control",
    "操作员": "Operator", "推送到": "Push to", "页面": "Page", "暂停轮播": "Pause rotation", "下一页": "Next page",
    "固定页面": "Pin page", "开始演练": "Start drill", "结束演练": "Stop drill",
    "显示/隐藏快捷键帮助": "Show / hide this shortcut help", "检索：编号或关键字": "Search: ID or words",
    "检索：网格": "Search: grid", "检索结果列表": "Search results", "预警列表": "Warning list",
    "推送选中的事件或预警到大屏": "Push the selected incident or warning to the wall",
    "推送选中事件的网格到大屏": "Push the selected incident's grid to the wall",
    "选择推送到的大屏窗口": "Choose the wall window to push to", "确认选中的预警": "Acknowledge the selected warning",
    "搁置选中的预警": "Shelve the selected warning", "升级选中的预警": "Escalate the selected warning",
    "暂停/恢复轮播": "Pause / resume the rotation", "固定/取消固定页面": "Pin / unpin the page", "退出": "Quit",
    "操作失败：{error}": "Action failed: {error}", "检索中…": "Searching…", "找到 {n} 条": "{n} found",
    "请先选择要推送的记录": "Select a record to push first", "已推送到大屏：{kind} {id}": "Pushed to the wall: {kind} {id}",
    "已确认": "Acknowledged", "已搁置": "Shelved", "已升级": "Escalated",
    "待确认 · 占用大屏": "Unacknowledged · holding the wall", "待确认": "Unacknowledged",
    "请先选择一条预警": "Select a warning first", "已确认预警 {id}": "Warning {id} acknowledged",
    "已搁置预警 {id}": "Warning {id} shelved", "已升级预警 {id}": "Warning {id} escalated", "主屏": "primary",
    "窗口 {n}（屏幕 {screens}）": "Window {n} (screen {screens})", "轮播已恢复": "Rotation resumed",
    "轮播已暂停": "Rotation paused", "已取消固定": "Unpinned", "已固定页面：{page}": "Page pinned: {page}",
    "红色预警 {id} 占用大屏，等待确认": "Red warning {id} holds the wall until acknowledged",
    "轮播：已暂停": "Rotation: paused", "轮播：查看详情中，稍后继续": "Rotation: details open, continues shortly",
    "轮播：运行中": "Rotation: running", "固定": "pinned", "{s} 秒后换页": "next page in {s} s",
    "不轮播": "not rotating", "窗口 {n}：{page}（{state}）": "Window {n}: {page} ({state})",
    "恢复轮播": "Resume rotation", "取消固定": "Unpin", "演练进行中：{id}": "Drill running: {id}",
    "本系统未启用演练功能": "Drills are not enabled on this wall", "请选择演练脚本": "Choose a drill scenario",
    "操作台启动": "started from the console", "演练已开始：{id}": "Drill started: {id}",
    "操作台结束": "stopped from the console", "演练已结束": "Drill stopped", "配置已更新并生效": "Config updated and applied",
    "配置修改未生效，大屏保持原样：": "Config edit refused; the wall keeps running as it was:",
    "未确认": "Unacknowledged", "后台": "Server", "后台数据无效": "Invalid data from the server", "后台不可达": "Server unreachable", "在办事件": "Open incidents",
    "张": "photos", "截止": "due", "执行任务": "Assigned to", "照片不可用": "Photo not available",
    "相关记录": "Related records", "至": "until", "实时评分": "Live scoring", "演练时钟": "Drill clock",
    "今日": "Today", "指标读取失败": "KPIs could not be read", "更新于": "updated", "发起": "Started by",
    # ---- map legend
    "每网格在办事件数": "Open events / grid", "{n} 个网格": "{n} grids", "事件标记（{shown} / {total}）":
    "Incidents ({shown} of {total})", "事件标记（{n}）": "Incidents ({n})", "演练（虚线框）": "Drill (outlined)",
    "预警（{n}）": "Public warnings ({n})", "较昨日": "vs yesterday", "较去年": "vs last year",
    "键盘快捷键": "Keyboard shortcuts", "标题": "Title", "处理": "Handling", "发布时间": "Issued at",
    # ---- console: drills through a backend, the report, replay (issue 8)
    "演练未开始：{why}": "Drill not started: {why}",
    "演练已结束，但后端未确认：{why}": "Drill stopped, but the backend did not confirm: {why}",
    "生成报告": "Write report", "没有可生成报告的演练": "No drill to report on",
    "报告已生成：{path}": "Report written: {path}",
    "回放": "Replay", "从": "From", "时长": "Duration", "回放此时段": "Replay this window",
    "回放所选时段": "Replay the chosen window", "回放：暂停/继续": "Replay: pause / play",
    "本系统未启用回放功能": "Replay is not enabled on this wall",
    "回放时段必须在当前时间之前": "The replay window must lie in the past",
    "回放 {start} 起 {minutes} 分钟，{speed}×": "Replaying {minutes} min from {start} at {speed}×",
    "已回到实时": "Back to live",
    # ---- console: confirmation, duty sign-in, history; drill tile and banner (issue 17)
    "原因（必填）": "Reason (required)", "接收人（必填）": "Recipient (required)",
    "升级预警 {id}：报送给谁，为什么？": "Escalate warning {id}: to whom, and why?",
    "开始演练「{name}」？演练内容将在大屏上以【演练】标示。":
        "Start the drill “{name}”? Everything it makes is marked 【DRILL】 on the wall.",
    "开始演练（需确认并填写原因）": "Start a drill (asks to confirm, with a reason)",
    "结束演练（需确认并填写原因）": "Stop the drill (asks to confirm, with a reason)",
    "操作记录": "Action history",
    "演练 {id} 正在进行，请先结束": "Drill {id} is running: stop it first",
    "确认升级": "Escalate", "确认开始演练": "Start the drill", "确认结束演练": "Stop the drill",
    "结束演练「{name}」？": "Stop the drill “{name}”?",
    "请先签到：选择值班人员和席位": "Sign in first: choose the person on duty and the seat",
    "待定": "Pending", "上次演练": "last drill",
    "{name} 不在值班表中": "{name} is not on the duty roster", "值班人员": "On duty", "值班签到": "Duty sign-in",
    "姓名": "Name", "已签到：{name} · {seat}": "Signed in: {name} · {seat}", "席位": "Seat",
    "席位，如 1号席": "Seat, e.g. Desk 1", "未签到：操作前请先签到": "Not signed in: sign in before acting",
    "签到": "Sign in", "签到需要姓名和席位": "Signing in needs a name and a seat",
    # ---- table headers (ui/models)
    "名称": "Name",
    # ---- the wall's own warnings (issue 17): backend clock, alarm sound
    "后端时钟偏差 {s} 秒（慢于本机）": "Backend clock {s} s behind this machine",
    "后端时钟偏差 {s} 秒（快于本机）": "Backend clock {s} s ahead of this machine",
    # ---- the wall's own recorder process, in the health bar beside the feeds
    "业务平台": "City platform", "市民诉求": "Citizen requests", "预警发布": "Public warnings", "网格底图": "Grid map",
    "{kind}（{name}）": "{kind} ({name})",
    "记录进程": "Recorder", "重启 {n} 次": "restarted {n}×", "上次退出码 {code}": "Last exit status {code}",
    "启动中": "Starting", "运行中": "Running", "重启中": "Restarting", "已失败": "Failed", "已停止": "Stopped",
    "警报音不可用：{why}": "Alarm sound unavailable: {why}", "没有音频输出设备": "no audio output device",
    "音频设备不支持警报音格式": "the audio device does not play the alarm's format",
    "警报音文件无法读取": "the alarm sound file cannot be read", "没有多媒体组件": "Qt Multimedia is missing",
    # ---- replay never hides the present (issue 17)
    "实时：{what}": "LIVE: {what}", "红色预警 {title}": "Red warning {title}",
    "应急事件超时 {title}": "Emergency overdue {title}", "（Ctrl+End 回到实时）": "(Ctrl+End: back to live)",
    # ---- a kiosk wall's guarded way out (issue 17)
    "退出大屏：输入 quit 并按回车（Esc 取消）": "Leave the wall: type quit and press Enter (Esc cancels)",
    # ---- KPI cards, the KPI tile and the daily report (issue 16)
    "按期办结率": "On-time completion", "超期件数": "Overdue",
    "矛盾纠纷现场化解率": "Disputes resolved on the spot",
    "矛盾纠纷基层化解率": "Disputes resolved in grid or community",
    "110分流平均受理时长": "Avg. acceptance (diverted 110 calls)",
    "110分流平均到场时长": "Avg. arrival (diverted 110 calls)",
    "突发事件": "Emergencies", "初信初访": "First-time petitions",
    "吹哨报到": "Departments called in (whistle)", "部门报到时长": "Departments' response time",
    "转办时间": "Hand-over time", "处置时长": "Handling time", "12345接诉即办": "12345 hotline items",
    "非警务警情分流": "Diverted non-police calls", "分钟": "min", "小时": "h", "件": "items", "天": "days",
    "本月": "This month", "今年以来": "Year to date", "较昨日同期": "vs. yesterday, same hours",
    "较上月同期": "vs. last month, same days", "较去年同期": "vs. last year, same period", "目标": "Target",
    "数据不足": "Not enough data", "个百分点": " pts", "当前": "Now",
    "数据不足（样本 {n}）": "Not enough data (n={n})", "{met}/{n} 起达标": "{met} of {n} met", "无突发事件": "No emergencies",
    "近24小时": "Last 24 h", "近30天": "Last 30 days", "近一年": "Last 12 months",
    "较前24小时": "vs. the 24 h before", "较前30天": "vs. the 30 days before", "较前一年": "vs. the 12 months before",
    "化解层级": "Resolution level",
    "运行日报": "Daily operations report", "一、当日指标与目标": "1. The day's figures against targets",
    "二、今年以来": "2. Year to date", "三、超期工作（督办）": "3. Overdue work (supervision)",
    "四、预警、告警与督办": "4. Warnings, device alarms and supervision", "五、突发事件与1-10-20": "5. Emergencies and 1-10-20",
    "1-10-20": "1-10-20", "1-10-20：1分钟内启动响应，10分钟内到达现场，20分钟内完成初情研判。":
        "1-10-20: response started within 1 minute, on scene within 10, first assessment within 20.",
    "值班员交接班时签字确认": "Duty officers sign at the shift change", "列出超期最久的": "listed, longest overdue first:",
    "办结时限": "Deadline", "办结率、按期办结率、处置率按当日到期的工作计；闭环管理率按当日到期的回访计；数据不足表示样本过少。":
        "Completion, on-time completion and disposal count the work due that day; the closed-loop rate counts the "
        "follow-up visits due that day; \"Not enough data\" means too small a sample.",
    "已超期": "Overdue by", "当日": "The day", "当日生效的预警": "Warnings in force that day", "无": "None",
    "是否达标": "Target met", "未达标": "Missed", "达标": "Met", "样本": "Sample",
    "演练数据不计入统计": "drill records are not counted", "生成于": "generated", "统计截至": "Figures as of",
    "超期未办结": "Open past the deadline", "超期督办": "Overdue supervision",
    "较前一日同期": "vs. the day before, same hours",
    # ---- issue 19: the room, the red band, nothing hidden
    "大屏值班员": "Wall duty officer", "大屏": "Wall", "涉及网格（{n} 个）": "Grids covered ({n})",
    "另有 {n} 个网格，见地图上的预警区域": "{n} more grids: see the warning's area on the map",
    "今日要情": "Today at a glance",
    # ---- cameras and video tiles (issue 21)
    "北": "N", "东北": "NE", "东": "E", "东南": "SE", "南": "S", "西南": "SW", "西": "W", "西北": "NW",
    "公里": "km", "米": "m", "摄像头目录中没有此摄像头": "This camera is not in the camera catalogue",
    "附近没有摄像头": "No camera nearby", "附近视频": "Cameras nearby", "未分配": "Unassigned",
    "连接中": "Connecting", "直播": "Live", "画面中断 · 重连中": "Stalled · reconnecting", "离线": "Offline",
    "无法播放 · 重试中": "Cannot play · retrying", "摄像头": "Camera", "推送视频到图块": "Push video to a tile",
    "摄像头编号，逗号分隔": "Camera ids, comma-separated", "推送视频": "Push video",
    "请先填写摄像头编号": "Enter camera ids first", "大屏上没有此视频图块：{title}": "No video tile on the wall: {title}",
    "已推送视频到 {title}：{ids}": "Video pushed to {title}: {ids}", "视频监控": "Video", "预案": "Preset",
}

# Same Chinese, different English by context.
# ---- city sensors (issue 22): the sensors tile, its labels, the device's details
EN.update({
    "城市生命线 · 物联感知": "Urban lifeline · sensors", "积水水位": "Water level", "井盖": "Manhole cover",
    "烟感": "Smoke", "配电箱温度": "Box temperature", "燃气": "Gas", "智慧灯杆": "Lamp pole", "离线": "Offline",
    "总数": "Total", "设备详情": "Device details", "监控视频": "Cameras", "读数": "Reading", "读数时间": "Read at",
    "此设备不在实时数据中": "This device is not in the live data", "近24小时读数": "Readings, last 24 hours",
    "城市感知设备": "City sensors", "告警（按级别着色）": "Alarm (coloured by level)",
})

EN_IN_CONTEXT: dict[tuple[str, str], str] = {
    ("FeedHealthBar", "物联感知"): "IoT sensors", ("FeedHealthBar", "视频监控"): "Cameras",
    ("SensorLabels", "正常"): "Normal", ("SensorsTile", "正常"): "Normal", ("SensorLayer", "正常"): "Normal",
    ("labels", "处置"): "Handling", ("labels", "网格"): "Grid", ("labels.stage", "办结"): "Due",
    ("labels", "预警"): "Public warning", ("AlertListModel", "处理"): "Operator state",
    ("ConsoleWindow", "演练"): "Drills", ("ConsoleWindow", "预警"): "Warnings",
    ("AlertTableModel", "处置"): "Operator state", ("IncidentTableModel", "上报"): "Reported at",
    ("DrillBanner", "演练"): "DRILL", ("ReplayBanner", "回放"): "REPLAY", ("DrillTile", "事件"): "Incident",
    ("AlertListModel", "类别"): "Kind", ("AlertTableModel", "预警"): "Public warning",
    ("ConfirmBar", "确认"): "Confirm",
}


#: The drill's after-action report (ui/report.py), one language per report: its own context, and the module's
#: tr() calls lupdate files under the empty context.
DRILL_REPORT_EN: dict[str, str] = {
    '受理/响应': 'Accepted / response',
    '初情研判完成': 'Initial assessment done',
    '发布': 'Issued',
    '解除': 'Lifted',
    '更新': 'Updated',
    '过期': 'Expired',
    '到达现场': 'On scene',
    '归队': 'Back at base',
    '停用': 'Out of service',
    '开始演练': 'Drill started',
    '结束演练': 'Drill stopped',
    '确认': 'Acknowledged',
    '搁置': 'Shelved',
    '升级': 'Escalated',
    '推送上墙': 'Pushed to the wall',
    '严格落实24小时值班值守，接报后1分钟内启动响应；精简接警、受理环节，定期开展接处警演练。': 'Keep the 24-hour duty watch strictly and start the response within 1 minute of a report; streamline call taking and acceptance, and drill call handling regularly.',
    '优化应急力量预置和派遣规则，就近调度；核查队伍、车辆备勤状态和出动路线，确保10分钟内到达现场。': 'Improve where response forces are pre-positioned and how they are dispatched (nearest first); check the readiness and routes of teams and vehicles so that they reach the scene within 10 minutes.',
    '完善初情研判流程和信息报送机制，明确现场指挥员研判职责，20分钟内完成初情研判并上报指挥中心。': 'Improve the initial-assessment procedure and the reporting chain; make the on-scene commander responsible for the assessment, completed and reported to the command center within 20 minutes.',
    '命令行操作（未签到）': 'Command line (no duty sign-in)',
    '演练评估报告': 'After-action report',
    '响应启动': 'Response started',
    '初情研判': 'Initial assessment',
    '各阶段用时（条）与时限：红线 = 1-10-20，紫线 = 演练目标': "Time per stage (bars) and limits: red line = 1-10-20, purple line = the drill's target",
    '资源调度时间线（演练时钟）：黄 = 已派出，橙 = 在现场': 'Resources over the drill clock: yellow = dispatched, orange = on scene',
    '脚本结束后自动结束': 'ended by itself when the scenario had played out',
    '评估人（签字）': 'Evaluated by (signature)',
    '审核人（签字）': 'Reviewed by (signature)',
    '审批意见': 'Approval remarks',
    '审批人（签字）': 'Approved by (signature)',
    '演练组织单位（盖章）': 'Organising unit (seal)',
    '超时 {over}': '{over} late',
    '其他力量': 'other forces',
    '指挥中心值班人员': 'Command center duty staff',
    '联动部门': 'Departments called in',
    '现场处置人员': 'Responders on scene',
    '演练名称': 'Drill',
    '演练内容': 'Scenario',
    '开始时间': 'Started',
    '结束时间': 'Stopped',
    '演练时长': 'Duration',
    '开始原因': 'Reason for starting',
    '结束原因': 'Reason for stopping',
    '演练规模': 'Scale',
    '演练目标': 'Targets',
    '总体评价': 'Overall result',
    '阶段': 'Stage',
    '用时': 'Time taken',
    '是否达标（目标）': 'Met (target)',
    '是否达标（1-10-20）': 'Met (1-10-20)',
    '原因': 'Reason',
    '类型': 'Kind',
    '派出': 'Dispatched',
    '派出用时（自上报）': 'Dispatched after report',
    '级别': 'Level',
    '区域': 'Area',
    '状态': 'Status',
    '时间': 'Time',
    '对象': 'Subject',
    '人员': 'Person',
    '演练时钟': 'Drill clock',
    '类别': 'Kind',
    '动作': 'What',
    '说明': 'Details',
    '未达到': 'not reached',
    '至演练结束未完成，已用 {used}，超出 {over}': 'not done when the drill ended: {used} taken, {over} over the limit',
    '演练结束时未到时限': 'the drill ended before the limit',
    '待定': 'Pending',
    '达标': 'Met',
    '未达标': 'Missed',
    '未完成': 'not done',
    '应急力量（{kind}）': 'Response forces ({kind})',
    '演练日期': 'Drill date',
    '生成于': 'Generated',
    '演练在部分阶段时限前结束': 'the drill ended before every stage was due',
    '一、演练概况': '1. Overview',
    '二、参演单位': '2. Participating units',
    '三、各阶段用时与目标': '3. Timings against targets',
    '四、资源调度': '4. Resources dispatched',
    '五、预警发布': '5. Warnings issued',
    '六、评估结论': '6. Evaluation',
    '七、存在问题': '7. Problems found',
    '八、整改建议': '8. Recommendations',
    '审批意见与签字': 'Approval and signatures',
    '附件一、操作记录': 'Annex 1. Operator actions',
    '附件二、完整时间线': 'Annex 2. Full timeline',
    '演练数据不计入真实统计；原始时间线见同名 CSV 文件。': 'Drill records never count in the real statistics; the raw timeline is in the CSV file of the same name.',
    '突发事件 {n} 起，预警 {w} 条，调度力量 {r} 支（辆）': '{n} emergencies, {w} warnings, {r} teams or vehicles dispatched',
    '响应 ≤ {r}，到场 ≤ {a}，初情研判 ≤ {s}（1-10-20：1:00、10:00、20:00）': 'response ≤ {r}, on scene ≤ {a}, initial assessment ≤ {s} (1-10-20: 1:00, 10:00, 20:00)',
    '无': 'None',
    '本次演练没有突发事件': 'No emergencies in this drill',
    '本次演练没有突发事件，未对1-10-20进行评估。': 'This drill had no emergencies; 1-10-20 was not evaluated.',
    '各阶段均在时限内完成，未发现超时问题。': 'Every stage was completed within its limit; no delays were found.',
    '对上述问题明确责任单位和整改时限，整改完成后组织复演验证。': 'Name a responsible unit and a deadline for each problem above, and repeat the drill once they are fixed.',
    '保持现有响应水平，结合季节性风险适时组织更复杂场景的演练。': "Keep the present level of response, and drill more complex scenarios as the season's risks come.",
    '日期': 'Date',
    '年\u3000月\u3000日': '____ / __ / __',
    '{title}：{stage}用时 {used}，超出时限 {limit}。{why}': '{title}: {stage} took {used}, beyond its limit of {limit}. {why}',
    '、': ', ',
    '本次演练处置突发事件 {n} 起，共 {k} 个响应阶段：{t} 个达到演练目标，{r} 个符合1-10-20要求。': "The drill handled {n} emergencies with {k} response stages: {t} met the drill's targets and {r} met 1-10-20.",
    '{what}：{note}': '{what}: {note}',
    '【演练】{name}': '[DRILL] {name}',
}
for _src, _en in DRILL_REPORT_EN.items():
    EN.setdefault(_src, _en)
    EN_IN_CONTEXT[("DrillReport", _src)] = _en


def hazard_names() -> dict[str, str]:
    """The public warnings' hazards in English, from the domain's own table (暴雨 → Rainstorm)."""
    sys.path.insert(0, str(ROOT))
    from commandcenter.domain import HAZARDS

    return {spec.name_cn: spec.name_en for spec in HAZARDS.values()}


def labels_sources() -> list[tuple[str, str]]:
    """(context, source) of every string ui/labels.py translates (lupdate cannot see them)."""
    sys.path.insert(0, str(ROOT))
    from commandcenter.ui import labels

    return labels.all_sources()


def ast_sources() -> set[tuple[str, str]]:
    """(context, source) of every literal self.tr("…") / X.tr("…") / translate("ctx", "…") / QT_TRANSLATE_NOOP("ctx", "…")
    in commandcenter/ui,
    found with the ast, so calls inside f-strings (which lupdate skips) count too."""
    import ast

    found: set[tuple[str, str]] = set()
    for path in (ROOT / "commandcenter" / "ui").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = module_helpers(tree)

        def visit(node: ast.AST, cls: str, helpers: dict[str, str] = helpers) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    visit(child, child.name)
                    continue
                if isinstance(child, ast.Call) and isinstance(child.func, (ast.Attribute, ast.Name)):
                    name = child.func.attr if isinstance(child.func, ast.Attribute) else child.func.id
                    args = child.args
                    lit = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in args]
                    if name == "tr" and lit and lit[0] and cls:
                        found.add((cls, lit[0]))
                    elif name in ("translate", "QT_TRANSLATE_NOOP") and len(lit) >= 2 and lit[0] and lit[1]:
                        found.add((lit[0], lit[1]))
                    elif name in helpers and lit and lit[0]:
                        found.add((helpers[name], lit[0]))
                visit(child, cls)

        visit(tree, "")
    return found


def module_helpers(tree) -> dict[str, str]:
    """A module's one-line translation helpers, `def _tr(text): return QCoreApplication.translate("ctx", text)`:
    helper name → its context, so that `_tr("…")` calls count as sources too."""
    import ast

    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and len(node.args.args) == 1:
            for call in ast.walk(node):
                if (isinstance(call, ast.Call) and isinstance(call.func, (ast.Attribute, ast.Name))
                        and (call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id) == "translate"
                        and call.args and isinstance(call.args[0], ast.Constant)
                        and isinstance(call.args[0].value, str)):
                    out[node.name] = call.args[0].value
    return out


def run_lupdate(ts: Path) -> None:
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "commandcenter" / "ui").rglob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), *sources, "-no-obsolete", "-ts", str(ts)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def all_sources() -> set[tuple[str, str]]:
    return ast_sources() | set(labels_sources())


def add_missing(root: ET.Element) -> None:
    """What lupdate did not extract: the labels table, tr() calls inside f-strings."""
    by_ctx: dict[str, list[str]] = {}
    for ctx_name, text in sorted(all_sources()):
        by_ctx.setdefault(ctx_name, []).append(text)
    for ctx_name, texts in by_ctx.items():
        add_context(root, ctx_name, texts)


def add_context(root: ET.Element, name: str, texts: list[str]) -> None:
    ctx = next((c for c in root.findall("context") if c.findtext("name") == name), None)
    if ctx is None:
        ctx = ET.SubElement(root, "context")
        ET.SubElement(ctx, "name").text = name
    have = {m.findtext("source"): m for m in ctx.findall("message")}
    for text in texts:
        m = have.get(text)
        if m is None:
            m = ET.SubElement(ctx, "message")
            ET.SubElement(m, "source").text = text
            ET.SubElement(m, "translation", type="unfinished")
        else:
            tr = m.find("translation")
            if tr is not None and tr.get("type") in ("vanished", "obsolete"):
                tr.set("type", "unfinished")


def fill(root: ET.Element) -> list[tuple[str, str]]:
    missing = []
    hazards = hazard_names()
    for ctx in root.findall("context"):
        name = ctx.findtext("name")
        for m in ctx.findall("message"):
            tr = m.find("translation")
            if tr is None:
                tr = ET.SubElement(m, "translation", type="unfinished")
            if tr.get("type") in ("vanished", "obsolete"):
                continue
            src = m.findtext("source")
            english = (EN_IN_CONTEXT.get((name, src)) or EN.get(src)
                       or (hazards.get(src) if name == "labels" else None))
            if m.get("numerus") == "yes":
                if english:
                    for old in list(tr):
                        tr.remove(old)
                    ET.SubElement(tr, "numerusform").text = english
                    ET.SubElement(tr, "numerusform").text = english
                    tr.attrib.pop("type", None)
                elif tr.get("type") == "unfinished":
                    missing.append((name, src))
                continue
            if english:
                tr.text = english
                tr.attrib.pop("type", None)
            elif tr.get("type") == "unfinished" or not (tr.text or "").strip():
                missing.append((name, src))
    return missing


def main() -> int:
    run_lupdate(TS)
    tree = ET.parse(TS)
    root = tree.getroot()
    root.set("language", "en")
    root.set("sourcelanguage", "zh_CN")
    add_missing(root)
    missing = fill(root)
    ET.indent(tree)
    with open(TS, "wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        tree.write(fh, encoding="utf-8", xml_declaration=False)
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(QM)], check=True, stdout=subprocess.DEVNULL)
    for ctx, src in missing:
        print(f"no English yet: [{ctx}] {src}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
