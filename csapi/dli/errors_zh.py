"""DLI's error table in Simplified Chinese: description and solution of every code of ``DLI_ERROR_CODES``.

The descriptions follow DLI's own messages; the solutions are the dashboard's advice, as in English.
``tests/csapi/test_errors_i18n.py`` checks that every code has both languages.
"""

from __future__ import annotations

#: code -> (description, solution), in Simplified Chinese.
ZH_HANS: dict[str, tuple[str, str]] = {
    "DLI.0001": (
        "参数校验出错。",
        "请修正消息中 DLI 指出的值（长度、字符和取值范围见《DLI API 参考》），然后重新发送请求。",
    ),
    "DLI.0002": ("对象不存在。", "请检查名称或 ID：作业、模板或队列可能已被删除，或属于其他项目。"),
    "DLI.0003": ("SQL 权限校验失败。", "请为 IAM 用户授予该语句所需的 DLI 权限。"),
    "DLI.0004": ("SQL 语法解析出错。", "请在 DLI 报告的位置修正 SQL 语法。"),
    "DLI.0005": ("SQL 语义解析出错。", "请检查 SQL 语句用到的表、列和函数。"),
    "DLI.0006": ("对象已存在。", "请换一个名称。"),
    "DLI.0007": ("不支持该操作。", "请检查作业的状态和类型：该操作现在可能不适用于它。"),
    "DLI.0008": ("元数据出错。", "请检查数据库和表的元数据，然后重试。"),
    "DLI.0009": ("系统限制。", "请不要超出 DLI 的系统限制（见《DLI API 参考》），或申请提高限制。"),
    "DLI.0011": ("文件权限校验失败。", "请授权 DLI 读写该 OBS 桶，然后重试。"),
    "DLI.0012": ("资源对象不可用。", "请等待队列或资源池可用，或换一个。"),
    "DLI.0013": ("用户认证出错。", "请检查凭据：AK/SK，或 IAM 用户的密码和项目。"),
    "DLI.0014": ("服务认证出错。", "请检查该项目是否已授权 DLI（服务委托），然后重试。"),
    "DLI.0015": ("令牌解析出错。", "请重新登录以获取新的 IAM 令牌。"),
    "DLI.0016": ("身份和角色不正确。", "请在该项目中为 IAM 用户授予 DLI 角色。"),
    "DLI.0018": ("数据转换出错。", "请检查所发送值的类型（数字、布尔值、列表）。"),
    "DLI.0019": ("任务超时。", "请稍后重试，或减少每次请求的工作量。"),
    "DLI.0023": ("未找到相关资源。", "请检查资源的名称或 ID。"),
    "DLI.0100": ("结果已过期。", "请重新运行作业以生成新的结果。"),
    "DLI.0999": ("服务端出错。", "请稍后重试；如果问题持续，请携带请求 ID 提交工单。"),
    "DLI.1028": ("配额不足。", "请释放占用配额的资源（例如删除不再使用的模板），或申请提高配额。"),
    "DLI.12004": ("作业不存在。请检查原因或创建作业。", "请检查作业 ID：该作业可能已被删除。"),
}
